-- Cluster SSO with Microsoft Entra ID (Azure AD), as in CockroachDB's documentation: the `upn`
-- claim, mapped by a regex that keeps the part before the @.
SET CLUSTER SETTING server.jwt_authentication.enabled = true;
SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = '["https://login.microsoftonline.com/5f0c6b8e-2c1a-4d7e-9b3f-0a1b2c3d4e5f/v2.0"]';
SET CLUSTER SETTING server.jwt_authentication.audience = '["api://cockroach-sso", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"]';
SET CLUSTER SETTING server.jwt_authentication.claim = 'upn';
SET CLUSTER SETTING server.identity_map.configuration = 'https://login.microsoftonline.com/5f0c6b8e-2c1a-4d7e-9b3f-0a1b2c3d4e5f/v2.0 /^(\S+)(?:@) \1';
