// Production: two always-ready DeliverCall instances (one can be replaced while the other rings phones),
// zone-redundant storage, Key Vault purge protection, 90 days of logs.
// Deployment-specific values come from the environment (infra/README.md). Secrets are never set here.
using '../main.bicep'

param environmentName = 'prod'
param apnsTeamId = readEnvironmentVariable('APNS_TEAM_ID')
param apnsKeyId = readEnvironmentVariable('APNS_KEY_ID')
param fcmProjectId = readEnvironmentVariable('FCM_PROJECT_ID')
param operatorPrincipalId = readEnvironmentVariable('PUSH_OPERATOR_OBJECT_ID', '')
param actionGroupId = readEnvironmentVariable('PUSH_ACTION_GROUP_ID', '')
param registryKeyEncryptionKeyId = 'kek1'
param transport = 'storageQueues'
param maximumInstanceCount = 200
param instanceMemoryMB = 2048
param callsAlwaysReady = 2
param serviceBusAlwaysReady = 2
param logRetentionDays = 90
param tags = {
  app: 'push-relay'
  environment: 'prod'
}
