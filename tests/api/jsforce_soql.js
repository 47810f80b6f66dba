// jsforce, unmodified: SOQL with conn.query, autoFetch and queryMore. Run by test_jsforce.py.
// Usage: node jsforce_soql.js <loginUrl> <username> <password>; prints one JSON line.
const jsforce = require("jsforce");

async function main() {
  const [loginUrl, username, password] = process.argv.slice(2);
  const conn = new jsforce.Connection({ loginUrl, version: "59.0" });
  await conn.login(username, password);
  const out = {};
  const groups = await conn.query(
    "SELECT Id, Name, Owner.Name FROM CollaborationGroup WHERE CanHaveGuests = true",
  );
  out.groupNames = groups.records.map((r) => r.Name);
  out.ownerNames = groups.records.map((r) => (r.Owner ? r.Owner.Name : null));
  const soql =
    "SELECT Id, InvitedUserEmail FROM CollaborationInvitation " +
    "WHERE SharedEntity.Name = 'Bulk Paging Group'";
  const first = await conn.query(soql);
  out.firstTotal = first.totalSize;
  out.firstDone = first.done;
  out.firstCount = first.records.length;
  const more = await conn.queryMore(first.nextRecordsUrl);
  out.moreCount = more.records.length;
  out.moreDone = more.done;
  const fetched = await conn.query(soql).run({ autoFetch: true, maxFetch: 10000 });
  out.autoFetched = fetched.records.length;
  try {
    await conn.query("SELECT Id FORM User");
  } catch (error) {
    out.malformed = error.errorCode;
  }
  console.log(JSON.stringify(out));
}

main().catch((error) => {
  console.log(JSON.stringify({ error: String(error), errorCode: error.errorCode }));
  process.exit(1);
});
