-- Cluster SSO with Google, as in CockroachDB's documentation: the `email` claim, mapped by a
-- regex that keeps the part before @example.com. The keys: identmap sso --jwks keys/jwks.json
SET CLUSTER SETTING server.jwt_authentication.enabled = true;
SET CLUSTER SETTING server.jwt_authentication.issuers.configuration = 'https://accounts.google.com';
SET CLUSTER SETTING server.jwt_authentication.audience = 'my-client-id.apps.googleusercontent.com';
SET CLUSTER SETTING server.jwt_authentication.claim = 'email';
SET CLUSTER SETTING server.identity_map.configuration = 'https://accounts.google.com /^(.*)@example\.com$ \1';
