// The push relay as an Azure Functions app on Flex Consumption, in one resource group: the plan and the app (the
// package built by scripts/package), Storage (queues, tables, the runtime and host containers, the deployment
// container), an optional Service Bus namespace, Key Vault for the provider credentials and keys, Log Analytics +
// Application Insights with Entra ID ingestion, alert rules on the relay's metrics, and one user-assigned identity
// that is the only credential anything uses.
// Every name the app reads is set here from a parameter whose default is the app's own default, and
// tests/Push.Infra.Tests compares the compiled template with the built app (functions.metadata, the option classes).

targetScope = 'resourceGroup'

metadata description = 'Push relay: a Flex Consumption function app with its queues, tables, Key Vault, monitoring and alerts.'

@description('Deployment environment. prod turns on Key Vault purge protection, zone-redundant storage and longer soft delete.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Azure region for every resource (one that offers Flex Consumption). Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Short prefix for resource names (lower-case letters and digits). A hash of the resource group makes the names unique.')
@minLength(2)
@maxLength(8)
param namePrefix string = 'push'

@description('Which broker carries the events: Storage queues (the queue-triggered functions) or Service Bus (the in-worker processors; the three queue-triggered functions are then disabled).')
@allowed([
  'storageQueues'
  'serviceBus'
])
param transport string = 'storageQueues'

// ---- Scale (functionAppConfig.scaleAndConcurrency) ----

@description('Upper bound of instances for the whole app, all functions together (Flex Consumption: 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance in MB; CPU and network bandwidth follow it.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready instances for DeliverCall (Storage queues): a ringing phone never waits for a cold start.')
@minValue(1)
@maxValue(20)
param callsAlwaysReady int = 1

@description('With Service Bus: always-ready instances that run the in-worker Service Bus processors. The platform does not scale on these queues, so this is their whole capacity (see infra/README.md).')
@minValue(1)
@maxValue(20)
param serviceBusAlwaysReady int = 1

@description('Functions to keep disabled across deployments (AzureWebJobs.<name>.Disabled = true). A redeployment rewrites every app setting, so a toggle made in the portal lasts only until then.')
param disabledFunctions array = []

// ---- What the relay reads (app settings; defaults are the app's own) ----

@description('Apple Developer team id (10 characters A-Z 0-9) that owns the APNs token-signing key: Apns__TeamId.')
@minLength(10)
@maxLength(10)
param apnsTeamId string

@description('Key id (10 characters A-Z 0-9) of the APNs .p8 key: Apns__KeyId. The key itself is the Key Vault secret apns-auth-key-<key id>, so a new key and its id change together.')
@minLength(10)
@maxLength(10)
param apnsKeyId string

@description('APNs base URL: Apns__Endpoint (production; the development endpoint is derived by the app).')
param apnsEndpoint string = 'https://api.push.apple.com'

@description('FCM base URL: Fcm__Endpoint.')
param fcmEndpoint string = 'https://fcm.googleapis.com'

@description('Google project id for FCM (Fcm__ProjectId), the project_id of the service account. Required: the service account lives in Key Vault and is read only when a token is fetched, so the app cannot take the project from it at start.')
@minLength(1)
@maxLength(63)
param fcmProjectId string

@description('Id of the current key-encryption key (Registry__KeyEncryptionKeyId), letters, digits and "_" only: after a rotation it becomes part of an app setting name. Its value is the Key Vault secret registry-kek-<id>.')
@minLength(1)
@maxLength(32)
param registryKeyEncryptionKeyId string

@description('Ids of earlier key-encryption keys still needed to unwrap older device keys after a rotation (Registry__PreviousKeyEncryptionKeys__<id>, each the secret registry-kek-<id>; "_" in an id is "-" in the secret name).')
param previousKeyEncryptionKeyIds array = []

@description('Queue of ringing and ended calls (Queues__Calls; DeliverCall).')
@minLength(3)
@maxLength(56)
param callsQueueName string = 'push-calls'

@description('Queue of instant messages (Queues__Messages; DeliverMessage).')
@minLength(3)
@maxLength(56)
param messagesQueueName string = 'push-messages'

@description('Queue of device registrations (Queues__Devices; ManageDevices).')
@minLength(3)
@maxLength(56)
param devicesQueueName string = 'push-devices'

@description('Device registry table (Registry__DevicesTable).')
@minLength(3)
@maxLength(63)
param devicesTableName string = 'devices'

@description('Delivery ledger table (Ledger__Table).')
@minLength(3)
@maxLength(63)
param ledgerTableName string = 'deliveries'

@description('Dead-letter archive table (DeadLetters__ArchiveTable).')
@minLength(3)
@maxLength(63)
param deadLettersTableName string = 'deadletters'

@description('Blob container of the shared provider tokens (ProviderTokens__ContainerName).')
@minLength(3)
@maxLength(63)
param providerTokensContainerName string = 'push-runtime'

@description('NCRONTAB schedule of RefreshProviderTokens (Timers__RefreshProviderTokens).')
param refreshProviderTokensSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of ProcessDeadLetters (Timers__ProcessDeadLetters).')
param processDeadLettersSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of RewrapDeviceKeys (Timers__RewrapDeviceKeys): moves device keys off an earlier key-encryption key after a rotation.')
param rewrapDeviceKeysSchedule string = '0 40 * * * *'

// ---- Secrets: optional here, never in a parameter file (infra/README.md sets them with az keyvault secret set) ----

@secure()
@description('The APNs .p8 PEM. Empty: set the secret apns-auth-key-<key id> yourself.')
param apnsAuthKeyP8 string = ''

@secure()
@description('The FCM service-account JSON. Empty: set the secret fcm-service-account-json yourself.')
param fcmServiceAccountJson string = ''

@secure()
@description('Base64 of 32 random bytes: the current key-encryption key. Empty: set the secret registry-kek-<id> yourself.')
param registryKeyEncryptionKey string = ''

@secure()
@description('Base64 of at least 32 random bytes: the conversation hash key. Empty: set the secret routing-conversation-hash-key yourself.')
param routingConversationHashKey string = ''

// ---- People and alarms ----

@description('Object id of the operator (user or group): may set the Key Vault secrets and run push dlq with their own identity. Empty: grant it yourself.')
param operatorPrincipalId string = ''

@description('Kind of principal in operatorPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

@description('Resource id of an action group the alerts notify. Empty: the alerts fire in the portal only.')
param actionGroupId string = ''

@description('Provider failures of one provider and reason within 5 minutes that raise an alert (token removals do not count).')
@minValue(1)
param providerFailureThreshold int = 20

@description('Average enqueue-to-provider-answer time of calls, in ms over 5 minutes, that raises an alert.')
@minValue(100)
param callLatencyThresholdMs int = 2000

@description('Dead-letter entries found by triage within 10 minutes above which an alert is raised (0: any).')
@minValue(0)
param deadLetterThreshold int = 0

@description('Days Log Analytics keeps logs and Application Insights telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Tags for every resource.')
param tags object = {}

var isProd = environmentName == 'prod'
var useServiceBus = transport == 'serviceBus'
var suffix = uniqueString(resourceGroup().id, environmentName)
var prefix = toLower(namePrefix)
var vaultName = take('${prefix}-kv-${suffix}', 24)

// The six functions of the built app (functions.metadata); the tests check these names against it.
var functions = {
  deliverCall: 'DeliverCall'
  deliverMessage: 'DeliverMessage'
  manageDevices: 'ManageDevices'
  refreshProviderTokens: 'RefreshProviderTokens'
  processDeadLetters: 'ProcessDeadLetters'
  rewrapDeviceKeys: 'RewrapDeviceKeys'
}

// With Service Bus the Storage-queue functions would only poll empty queues: they are disabled.
var storageQueueFunctions = [
  functions.deliverCall
  functions.deliverMessage
  functions.manageDevices
]

// The in-worker Service Bus processors run on every instance of the app, whichever function it was started for;
// the always-ready instances that keep them running are counted on a timer function, which stays enabled.
var alwaysReady = useServiceBus
  ? [
      {
        name: 'function:${functions.refreshProviderTokens}'
        instanceCount: serviceBusAlwaysReady
      }
    ]
  : [
      {
        name: 'function:${functions.deliverCall}'
        instanceCount: callsAlwaysReady
      }
    ]

var workQueues = [
  callsQueueName
  messagesQueueName
  devicesQueueName
]

// The host and the relay move a failed message to "<queue>-poison"; created here so that the roles can be scoped
// to each queue and an operator finds them before the first failure.
var storageQueueNames = useServiceBus
  ? []
  : [
      callsQueueName
      '${callsQueueName}-poison'
      messagesQueueName
      '${messagesQueueName}-poison'
      devicesQueueName
      '${devicesQueueName}-poison'
    ]

var poisonQueueNames = [for name in workQueues: '${name}-poison']

var tableNames = [
  devicesTableName
  ledgerTableName
  deadLettersTableName
]

// Blob containers: the relay's shared provider tokens; the host's timer locks and status (azure-webjobs-hosts) and
// key store (azure-webjobs-secrets), created here so that the identity needs no account-wide role; the package.
var deploymentContainerName = 'app-package'
var blobContainerNames = [
  providerTokensContainerName
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
  deploymentContainerName
]

// Matches host.json extensions.queues.maxDequeueCount (5): a poisoned event costs the same number of attempts on
// either transport, and the relay's retry budget was sized for five.
var serviceBusMaxDeliveryCount = 5

// A call is over within its ring timeout, so an hour-old call event is only worth an audit trail (expiry
// dead-letters it); message previews are stale after a day; device registrations keep two weeks.
var serviceBusQueues = [
  {
    name: callsQueueName
    ttl: 'PT1H'
  }
  {
    name: messagesQueueName
    ttl: 'P1D'
  }
  {
    name: devicesQueueName
    ttl: 'P14D'
  }
]

// Key Vault secret names. Key-bound names (the APNs key id, the KEK id) let a rotation switch the secret and its id
// in one app-settings change, so no instance ever pairs a new key with an old id. Secret names allow letters, digits
// and "-"; app setting names letters, digits, "." and "_" (and Linux turns "." into "_"): hence "_" -> "-".
var kekSecretPrefix = 'registry-kek-'
var secretNames = {
  apnsKey: 'apns-auth-key-${toLower(apnsKeyId)}'
  fcmServiceAccount: 'fcm-service-account-json'
  keyEncryptionKey: '${kekSecretPrefix}${replace(toLower(registryKeyEncryptionKeyId), '_', '-')}'
  conversationHashKey: 'routing-conversation-hash-key'
}

// App Service resolves these when the app starts (and every 24 hours) with keyVaultReferenceIdentity.
var keyVaultReferencePrefix = '@Microsoft.KeyVault(VaultName=${vaultName};SecretName='

var previousKekSettings = [
  for id in previousKeyEncryptionKeyIds: {
    name: 'Registry__PreviousKeyEncryptionKeys__${id}'
    value: '${keyVaultReferencePrefix}${kekSecretPrefix}${replace(toLower(id), '_', '-')})'
  }
]

var disabledFunctionSettings = [
  for name in union(disabledFunctions, useServiceBus ? storageQueueFunctions : []): {
    name: 'AzureWebJobs.${name}.Disabled'
    value: 'true'
  }
]

var optionalSettings = [
  {
    name: 'Fcm__ProjectId'
    value: fcmProjectId
  }
]

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var hasOperator = !empty(operatorPrincipalId)

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${prefix}-id-${suffix}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: '${prefix}-log-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-appi-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'other'
    WorkspaceResourceId: workspace.id
    RetentionInDays: logRetentionDays
    IngestionMode: 'LogAnalytics'
    // Entra ID only: the instrumentation key in the connection string is not enough to send telemetry.
    DisableLocalAuth: true
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: queues, tables, containers (the app's AzureWebJobsStorage and the deployment container)
// ---------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: take('${prefix}st${suffix}', 24)
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: isProd ? 'Standard_ZRS' : 'Standard_LRS'
  }
  properties: {
    // Identity only: with shared keys off, a leaked connection string is worth nothing.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource storageQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queueName in storageQueueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for containerName in blobContainerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Each role on the narrowest scope that works: one queue, one table, one container.
resource queueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in storageQueueNames: {
    name: guid(storageQueues[i].id, identity.id, roles.storageQueueDataContributor)
    scope: storageQueues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource tableRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (tableName, i) in tableNames: {
    name: guid(tables[i].id, identity.id, roles.storageTableDataContributor)
    scope: tables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Leases and writes (timer locks, provider tokens, the package the platform stores). The Functions docs name Blob
// Data Owner on the account; Owner adds only ACL management, and the containers the host creates exist already.
resource blobRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in blobContainerNames: {
    name: guid(containers[i].id, identity.id, roles.storageBlobDataContributor)
    scope: containers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// ---------------------------------------------------------------------------------------------
// Service Bus (only with transport = serviceBus)
// ---------------------------------------------------------------------------------------------

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' = if (useServiceBus) {
  name: '${prefix}-sb-${suffix}'
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // No SAS keys: the relay and the operator authenticate with Entra ID.
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource serviceBusQueueResources 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = [
  for queue in serviceBusQueues: if (useServiceBus) {
    parent: serviceBus
    name: queue.name
    properties: {
      lockDuration: 'PT1M'
      maxDeliveryCount: serviceBusMaxDeliveryCount
      deadLetteringOnMessageExpiration: true
      requiresDuplicateDetection: true
      // CloudEvent ids are the idempotency key: producers set MessageId = id, so a re-publish within
      // ten minutes is dropped by the broker before it can ring a phone twice.
      duplicateDetectionHistoryTimeWindow: 'PT10M'
      defaultMessageTimeToLive: queue.ttl
    }
  }
]

// Receive (and peek the dead-letter subqueue) and send (retry copies, triage replays), on each queue only.
resource serviceBusReceivers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queue, i) in serviceBusQueues: if (useServiceBus) {
    name: guid(serviceBusQueueResources[i].id, identity.id, roles.serviceBusDataReceiver)
    scope: serviceBusQueueResources[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource serviceBusSenders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queue, i) in serviceBusQueues: if (useServiceBus) {
    name: guid(serviceBusQueueResources[i].id, identity.id, roles.serviceBusDataSender)
    scope: serviceBusQueueResources[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// ---------------------------------------------------------------------------------------------
// Key Vault
// ---------------------------------------------------------------------------------------------

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: isProd ? 90 : 7
    // Purge protection cannot be turned off once on, and the API refuses an explicit false: omit it in dev.
    enablePurgeProtection: isProd ? true : null
    // Key Vault references on Flex Consumption cannot reach a network-restricted vault.
    publicNetworkAccess: 'Enabled'
  }
}

// Written only when a value is given; an empty parameter leaves whatever the operator set untouched.
resource apnsKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(apnsAuthKeyP8)) {
  parent: vault
  name: secretNames.apnsKey
  properties: {
    value: apnsAuthKeyP8
    contentType: 'application/x-pem-file'
  }
}

resource fcmServiceAccountSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(fcmServiceAccountJson)) {
  parent: vault
  name: secretNames.fcmServiceAccount
  properties: {
    value: fcmServiceAccountJson
    contentType: 'application/json'
  }
}

resource keyEncryptionKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(registryKeyEncryptionKey)) {
  parent: vault
  name: secretNames.keyEncryptionKey
  properties: {
    value: registryKeyEncryptionKey
    contentType: 'base64'
  }
}

resource conversationHashKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(routingConversationHashKey)) {
  parent: vault
  name: secretNames.conversationHashKey
  properties: {
    value: routingConversationHashKey
    contentType: 'base64'
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// The operator: sets the secrets; reads, replays and purges dead letters with push dlq (their own identity)
// ---------------------------------------------------------------------------------------------

resource operatorSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasOperator) {
  name: guid(vault.id, operatorPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// Poison queues to read and purge, work queues to replay onto.
resource operatorQueueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in storageQueueNames: if (hasOperator) {
    name: guid(storageQueues[i].id, operatorPrincipalId, roles.storageQueueDataContributor)
    scope: storageQueues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
    }
  }
]

// The archive (tables[2], deadLettersTableName) is written by triage; the ledger (tables[1], ledgerTableName) is only
// read, for the last provider failure of an event the host poisoned.
resource operatorArchiveRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasOperator) {
  name: guid(tables[2].id, operatorPrincipalId, roles.storageTableDataContributor)
  scope: tables[2]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

resource operatorLedgerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasOperator) {
  name: guid(tables[1].id, operatorPrincipalId, roles.storageTableDataReader)
  scope: tables[1]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

resource operatorServiceBusReceivers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queue, i) in serviceBusQueues: if (useServiceBus && hasOperator) {
    name: guid(serviceBusQueueResources[i].id, operatorPrincipalId, roles.serviceBusDataReceiver)
    scope: serviceBusQueueResources[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
    }
  }
]

resource operatorServiceBusSenders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queue, i) in serviceBusQueues: if (useServiceBus && hasOperator) {
    name: guid(serviceBusQueueResources[i].id, operatorPrincipalId, roles.serviceBusDataSender)
    scope: serviceBusQueueResources[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
    }
  }
]

// ---------------------------------------------------------------------------------------------
// The function app (Flex Consumption)
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: '${prefix}-plan-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux: Flex Consumption runs only there.
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: '${prefix}-func-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  // The identity must hold its roles before the host first reads the package, a queue or a secret.
  dependsOn: [
    queueRoles
    tableRoles
    blobRoles
    vaultSecretsUser
    telemetryPublisher
    serviceBusReceivers
    serviceBusSenders
  ]
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    // The runtime lives here on Flex Consumption (FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not app
    // settings there): the isolated worker on .NET 10, as the app targets.
    functionAppConfig: {
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReady
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat(
        [
          // Identity-based host storage (the triggers' connection "AzureWebJobsStorage"): no key anywhere.
          {
            name: 'AzureWebJobsStorage__accountName'
            value: storage.name
          }
          {
            name: 'AzureWebJobsStorage__blobServiceUri'
            value: storage.properties.primaryEndpoints.blob
          }
          {
            name: 'AzureWebJobsStorage__queueServiceUri'
            value: storage.properties.primaryEndpoints.queue
          }
          {
            name: 'AzureWebJobsStorage__tableServiceUri'
            value: storage.properties.primaryEndpoints.table
          }
          {
            name: 'AzureWebJobsStorage__credential'
            value: 'managedidentity'
          }
          {
            name: 'AzureWebJobsStorage__clientId'
            value: identity.properties.clientId
          }
          // DefaultAzureCredential (the app's Key Vault client) picks the user-assigned identity by this.
          {
            name: 'AZURE_CLIENT_ID'
            value: identity.properties.clientId
          }
          {
            name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
            value: appInsights.properties.ConnectionString
          }
          {
            name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
            value: 'Authorization=AAD;ClientId=${identity.properties.clientId}'
          }
          {
            name: 'Queues__Transport'
            value: useServiceBus ? 'ServiceBus' : 'StorageQueues'
          }
          {
            name: 'Queues__Calls'
            value: callsQueueName
          }
          {
            name: 'Queues__Messages'
            value: messagesQueueName
          }
          {
            name: 'Queues__Devices'
            value: devicesQueueName
          }
          {
            name: 'Timers__RefreshProviderTokens'
            value: refreshProviderTokensSchedule
          }
          {
            name: 'Timers__ProcessDeadLetters'
            value: processDeadLettersSchedule
          }
          {
            name: 'Timers__RewrapDeviceKeys'
            value: rewrapDeviceKeysSchedule
          }
          {
            name: 'Registry__DevicesTable'
            value: devicesTableName
          }
          {
            name: 'Ledger__Table'
            value: ledgerTableName
          }
          {
            name: 'DeadLetters__ArchiveTable'
            value: deadLettersTableName
          }
          {
            name: 'ProviderTokens__ContainerName'
            value: providerTokensContainerName
          }
          {
            name: 'Apns__Endpoint'
            value: apnsEndpoint
          }
          {
            name: 'Apns__TeamId'
            value: apnsTeamId
          }
          {
            name: 'Apns__KeyId'
            value: apnsKeyId
          }
          {
            name: 'Fcm__Endpoint'
            value: fcmEndpoint
          }
          // The .p8 key and the service account are read by the app's own Key Vault client at each token refresh,
          // so a new secret version is used without a restart.
          {
            name: 'KeyVault__Uri'
            value: vault.properties.vaultUri
          }
          {
            name: 'KeyVault__ApnsKeySecretName'
            value: secretNames.apnsKey
          }
          {
            name: 'KeyVault__FcmServiceAccountSecretName'
            value: secretNames.fcmServiceAccount
          }
          {
            name: 'Registry__KeyEncryptionKey'
            value: '${keyVaultReferencePrefix}${secretNames.keyEncryptionKey})'
          }
          {
            name: 'Registry__KeyEncryptionKeyId'
            value: registryKeyEncryptionKeyId
          }
          {
            name: 'Routing__ConversationHashKey'
            value: '${keyVaultReferencePrefix}${secretNames.conversationHashKey})'
          }
        ],
        useServiceBus
          ? [
              {
                name: 'AzureWebJobsServiceBus__fullyQualifiedNamespace'
                value: parseUri(serviceBus!.properties.serviceBusEndpoint).host
              }
              {
                name: 'AzureWebJobsServiceBus__credential'
                value: 'managedidentity'
              }
              {
                name: 'AzureWebJobsServiceBus__clientId'
                value: identity.properties.clientId
              }
            ]
          : [],
        previousKekSettings,
        disabledFunctionSettings,
        optionalSettings
      )
    }
  }
}

// Deployments authenticate with Entra ID (az functionapp deploy); no publishing user name and password.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

// ---------------------------------------------------------------------------------------------
// Alerts: log search rules on the relay's metrics (the worker exports its meters to Application Insights, where
// they are rows of customMetrics: name, valueSum / valueCount per minute, the tags in customDimensions)
// ---------------------------------------------------------------------------------------------

// The instruments the rules read (functions/Push.Core: RelayMetrics, CredentialsTelemetry, DeadLetterMetrics).
var metricNames = {
  refreshFailed: 'push.tokens.refresh_failed'
  pushesFailed: 'push.pushes.failed'
  enqueueToProviderAnswer: 'push.enqueue_to_provider_answer'
  deadLettersArchived: 'push.deadletters.archived'
  deadLettersDeferred: 'push.deadletters.deferred'
  deadLettersFailed: 'push.deadletters.failed'
}

// Rejections that remove a device token (the app uninstalled, a stale token) are the normal churn of a push
// service, not a failure to alarm on (PushFailureReasonExtensions.RemovesToken).
var tokenRemovalReasons = [
  'Unregistered'
  'BadDeviceToken'
  'DeviceTokenNotForTopic'
]

var callEventType = 'push.call.incoming'

var alertRules = [
  {
    name: 'provider-token-refresh-failed'
    description: 'A provider token (APNs JWT or FCM access token) could not be refreshed: a secret is missing or malformed, the token store is unreachable, or the provider refused the credential. Senders keep the last valid token until it expires.'
    severity: 1
    windowSize: 'PT10M'
    threshold: 0
    measure: 'failures'
    dimensions: [
      'provider'
      'reason'
    ]
    query: format(
      '''
customMetrics
| where name == "{0}"
| extend provider = tostring(customDimensions["push.provider"]), reason = tostring(customDimensions.reason)
| summarize failures = sum(valueSum) by provider, reason
''',
      metricNames.refreshFailed
    )
  }
  {
    name: 'provider-failures-by-reason'
    description: 'APNs or FCM refused or failed pushes for one reason more often than the threshold in 5 minutes (token removals excluded).'
    severity: 2
    windowSize: 'PT5M'
    threshold: providerFailureThreshold
    measure: 'failures'
    dimensions: [
      'provider'
      'reason'
    ]
    query: format(
      '''
customMetrics
| where name == "{0}"
| extend provider = tostring(customDimensions.provider), reason = tostring(customDimensions.reason)
| where reason !in (dynamic({1}))
| summarize failures = sum(valueSum) by provider, reason
''',
      metricNames.pushesFailed,
      string(tokenRemovalReasons)
    )
  }
  {
    name: 'dead-letters-arriving'
    description: 'Dead-letter triage found new entries in a poison queue (or dead-letter subqueue), or entries it could not settle.'
    severity: 2
    windowSize: 'PT10M'
    threshold: deadLetterThreshold
    measure: 'entries'
    dimensions: [
      'queue'
    ]
    query: format(
      '''
customMetrics
| where name in ("{0}", "{1}", "{2}")
| extend queue = tostring(customDimensions.queue)
| summarize entries = sum(valueSum) by queue
''',
      metricNames.deadLettersArchived,
      metricNames.deadLettersDeferred,
      metricNames.deadLettersFailed
    )
  }
  {
    name: 'call-enqueue-to-provider-latency'
    description: 'Ringing calls took longer than the threshold on average from entering the queue to the provider\'s answer.'
    severity: 1
    windowSize: 'PT5M'
    threshold: callLatencyThresholdMs
    measure: 'averageMs'
    dimensions: [
      'provider'
    ]
    query: format(
      '''
customMetrics
| where name == "{0}" and tostring(customDimensions.type) == "{1}"
| extend provider = tostring(customDimensions.provider)
| summarize averageMs = sum(valueSum) / sum(valueCount) by provider
''',
      metricNames.enqueueToProviderAnswer,
      callEventType
    )
  }
]

resource alerts 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for rule in alertRules: {
    name: '${prefix}-${rule.name}-${suffix}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'push relay: ${rule.name}'
      description: rule.description
      severity: rule.severity
      enabled: true
      scopes: [
        appInsights.id
      ]
      evaluationFrequency: 'PT5M'
      windowSize: rule.windowSize
      // The tables are empty until the app has sent its first metrics, so a query cannot be validated at deployment;
      // tests/Push.Infra.Tests checks the metric and dimension names against the app instead.
      skipQueryValidation: true
      autoMitigate: true
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: 'Total'
            metricMeasureColumn: rule.measure
            dimensions: [
              for dimension in rule.dimensions: {
                name: dimension
                operator: 'Include'
                values: [
                  '*'
                ]
              }
            ]
            operator: 'GreaterThan'
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: empty(actionGroupId) ? [] : [actionGroupId]
      }
    }
  }
]

// ---------------------------------------------------------------------------------------------
// Outputs (names only: nothing secret)
// ---------------------------------------------------------------------------------------------

output functionAppName string = functionApp.name
output storageAccountName string = storage.name
output queueNames array = workQueues
output poisonQueueNames array = useServiceBus ? [] : poisonQueueNames
output tableNames array = tableNames
output deploymentContainerName string = deploymentContainerName
output serviceBusNamespace string = useServiceBus ? serviceBus.name : ''
output keyVaultName string = vault.name
output keyVaultSecretNames object = secretNames
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output applicationInsightsName string = appInsights.name
output logAnalyticsWorkspaceName string = workspace.name
output alertRuleNames array = [for (rule, i) in alertRules: alerts[i].name]
