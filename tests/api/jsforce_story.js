// jsforce, unmodified, against a live Chatter Org: run by tests/api/test_jsforce.py.
// Usage: node jsforce_story.js <loginUrl> <username> <password>; prints one JSON line.
const jsforce = require("jsforce");

async function main() {
  const [loginUrl, username, password] = process.argv.slice(2);
  const conn = new jsforce.Connection({ loginUrl, version: "59.0" });
  const userInfo = await conn.login(username, password); // SOAP login, jsforce's default
  const out = { userId: userInfo.id, organizationId: userInfo.organizationId };
  out.instanceUrl = conn.instanceUrl;
  const described = await conn.sobject("CollaborationGroup").describe();
  out.keyPrefix = described.keyPrefix;
  const page = await conn.chatter.resource("/groups", { q: "Customer Success Council" });
  const group = page.groups[0];
  out.myRole = group.myRole;
  const created = await conn.sobject("CollaborationGroup").create({
    Name: "jsforce Partners",
    CollaborationType: "Private",
    CanHaveGuests: true,
  });
  out.created = created.success;
  const invited = await conn.chatter
    .resource(`/groups/group/${created.id}/invite`)
    .create({ invitees: { emails: ["lee@globex.example"] }, message: "Hi" });
  out.invitations = invited.invitations;
  const members = await conn.chatter.resource(`/groups/${group.id}/members`);
  out.memberCount = members.totalMemberCount;
  try {
    await conn.sobject("CollaborationGroup").retrieve("0F9000000000zzzAAA");
  } catch (error) {
    out.malformed = error.errorCode;
  }
  // A revoked session: jsforce logs in again with the same credentials on INVALID_SESSION_ID.
  const old = conn.accessToken;
  const revoked = await fetch(`${loginUrl}/services/oauth2/revoke`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: old }),
  });
  out.revoked = revoked.status;
  try {
    await conn.chatter.resource("/groups");
    out.afterLogout = conn.accessToken !== old ? "logged in again" : "same session";
  } catch (error) {
    out.afterLogout = error.errorCode || error.name;
  }
  console.log(JSON.stringify(out));
}

main().catch((error) => {
  console.log(JSON.stringify({ error: String(error), errorCode: error.errorCode }));
  process.exit(1);
});
