-- A cluster's SSO settings with a valid identity map.
SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = 'https://accounts.google.com';
SET CLUSTER SETTING server.identity_map.configuration = e'https://accounts.google.com /^(.*)@cockroachlabs\\.com$ \\1\nhttps://accounts.google.com "quoted" q';
