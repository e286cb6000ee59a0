// The push relay in one resource group: Storage (queues, tables, a runtime container), an optional
// Service Bus namespace, Key Vault for the provider credentials and keys, Log Analytics + Application
// Insights, one user-assigned identity, and two Container Apps running the relay image: "calls" stays
// warm so a ringing phone never waits for a cold start; "messages" scales to zero.
// Every name the relay reads is declared once below and checked against the host's defaults by
// tests/Push.Infra.Tests, so the infrastructure and the code cannot drift apart silently.

targetScope = 'resourceGroup'

metadata description = 'Push relay: queues, tables, Key Vault, monitoring, identity and Container Apps.'

@description('Deployment environment. prod turns on Key Vault purge protection, zone-redundant storage and longer retention.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Azure region for every resource. Defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Short prefix for resource names (lower-case letters and digits). A hash of the resource group makes the names unique.')
@minLength(2)
@maxLength(8)
param namePrefix string = 'push'

@description('The relay container image, e.g. myregistry.azurecr.io/push-relay:1.0.0 (built from infra/Dockerfile).')
@minLength(1)
param image string

@description('Name of an Azure Container Registry in this resource group to pull the image from with the managed identity (AcrPull is granted). Empty: the image is public.')
param containerRegistryName string = ''

@description('Create the container apps. false on the very first deployment: the apps read Key Vault secrets that the operator can only set once the vault exists (infra/README.md).')
param deployApps bool = true

@description('Which broker carries the events: Storage queues (what the host runs today) or Service Bus. Decides the KEDA scalers and the transport setting.')
@allowed([
  'storageQueues'
  'serviceBus'
])
param transport string = 'storageQueues'

@description('Replicas of the calls app that never scale away (>= 1 keeps a warm instance for ringing calls).')
@minValue(1)
@maxValue(30)
param callsMinReplicas int = 1

@description('Upper bound of calls replicas.')
@minValue(1)
@maxValue(300)
param callsMaxReplicas int = 10

@description('Replicas of the messages app that never scale away (0 = scale to zero when the queue is empty).')
@minValue(0)
@maxValue(30)
param messagesMinReplicas int = 0

@description('Upper bound of messages replicas.')
@minValue(1)
@maxValue(300)
param messagesMaxReplicas int = 10

@description('Queue length per replica at which KEDA adds a replica (the calls trigger takes batches of 32, messages 16: see host.json).')
@minValue(1)
param queueLengthPerReplica int = 32

@description('CPU cores per replica (Container Apps consumption sizes: 0.25 .. 4).')
param containerCpu string = '0.5'

@description('Memory per replica, paired with the CPU as Container Apps requires (0.5 core -> 1Gi).')
param containerMemory string = '1Gi'

@description('Apple Developer team id (10 characters) that owns the APNs token-signing key: Apns__TeamId.')
@minLength(10)
@maxLength(10)
param apnsTeamId string

@description('Key id (10 characters) of the APNs .p8 token-signing key: Apns__KeyId.')
@minLength(10)
@maxLength(10)
param apnsKeyId string

@description('Label stored with every wrapped device key (Registry__KeyEncryptionKeyId); change it together with the key when rotating.')
@minLength(1)
param registryKeyEncryptionKeyId string

@description('Object id of a user or group that may set the Key Vault secrets (Key Vault Secrets Officer). Empty: grant it yourself.')
param operatorPrincipalId string = ''

@description('Kind of principal in operatorPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

@description('Days Log Analytics keeps logs and Application Insights telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Tags for every resource.')
param tags object = {}

var isProd = environmentName == 'prod'
var suffix = uniqueString(resourceGroup().id, environmentName)
var prefix = toLower(namePrefix)

// The names the host reads (functions/Push.Functions/Composition/QueueNames.cs, DeviceRegistryOptions,
// DeliveryLedgerOptions). The host creates "<queue>-poison" itself; creating them here lets the role
// assignments be scoped to each queue and lets an operator find them before the first failure.
var queueNames = {
  calls: 'push-calls'
  messages: 'push-messages'
  devices: 'push-devices'
}
var storageQueueNames = [
  'push-calls'
  'push-calls-poison'
  'push-messages'
  'push-messages-poison'
  'push-devices'
  'push-devices-poison'
]
var tableNames = {
  devices: 'devices'
  deliveries: 'deliveries'
  deadLetters: 'deadletters'
}
var tableList = [
  'devices'
  'deliveries'
  'deadletters'
]
var runtimeContainerName = 'push-runtime'

// Matches host.json extensions.queues.maxDequeueCount (5): a poisoned event costs the same number of
// attempts on either transport, and the relay's retry budget (Delivery options) was sized for five.
var serviceBusMaxDeliveryCount = 5

// A call is over within its ring timeout, so an hour-old call event is only worth an audit trail (expiry
// dead-letters it); message previews are stale after a day; device registrations keep the broker default.
var serviceBusQueues = [
  {
    name: 'push-calls'
    ttl: 'PT1H'
  }
  {
    name: 'push-messages'
    ttl: 'P1D'
  }
  {
    name: 'push-devices'
    ttl: 'P14D'
  }
]

// Key Vault secret names. Values are never in Bicep: the operator sets them (infra/README.md).
var secretNames = {
  apnsKey: 'apns-auth-key-p8'
  fcmServiceAccount: 'fcm-service-account-json'
  keyEncryptionKey: 'registry-key-encryption-key'
  conversationHashKey: 'routing-conversation-hash-key'
}
var secretsMountPath = '/mnt/secrets'

// Which functions each app runs (Functions__Enabled, comma-separated). Device events ride with calls:
// they are few, and a registration should not wait for the messages app to wake up. The timers
// (provider tokens, dead-letter triage) need an instance that is always up: the warm calls app.
var relayApps = [
  {
    name: 'calls'
    functions: 'DeliverCall,ManageDevices,RefreshProviderTokens,ProcessDeadLetters'
    queues: [
      'push-calls'
      'push-devices'
    ]
  }
  {
    name: 'messages'
    functions: 'DeliverMessage'
    queues: [
      'push-messages'
    ]
  }
]

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}

var useServiceBus = transport == 'serviceBus'

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
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: queues, tables, the runtime container
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
  for tableName in tableList: {
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

resource runtimeContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: runtimeContainerName
  properties: {
    publicAccess: 'None'
  }
}

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
  for (tableName, i) in tableList: {
    name: guid(tables[i].id, identity.id, roles.storageTableDataContributor)
    scope: tables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeContainer.id, identity.id, roles.storageBlobDataContributor)
  scope: runtimeContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

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
    // No SAS keys: the relay and KEDA authenticate with the managed identity.
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

resource serviceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useServiceBus) {
  name: guid(serviceBus.id, identity.id, roles.serviceBusDataSender)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource serviceBusReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useServiceBus) {
  name: guid(serviceBus.id, identity.id, roles.serviceBusDataReceiver)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Key Vault
// ---------------------------------------------------------------------------------------------

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: take('${prefix}-kv-${suffix}', 24)
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
    publicNetworkAccess: 'Enabled'
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

resource vaultOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// ---------------------------------------------------------------------------------------------
// Container registry (optional, existing)
// ---------------------------------------------------------------------------------------------

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = if (!empty(containerRegistryName)) {
  name: containerRegistryName
}

resource registryPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(containerRegistryName)) {
  name: guid(registry.id, identity.id, roles.acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Container Apps
// ---------------------------------------------------------------------------------------------

resource appEnvironment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: '${prefix}-cae-${suffix}'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

var serviceBusHost = useServiceBus ? parseUri(serviceBus!.properties.serviceBusEndpoint).host : ''

resource apps 'Microsoft.App/containerApps@2025-07-01' = [
  for app in relayApps: if (deployApps) {
    name: '${prefix}-${app.name}-${take(suffix, 6)}'
    location: location
    tags: union(tags, {
      'push-relay-role': app.name
    })
    identity: {
      type: 'UserAssigned'
      userAssignedIdentities: {
        '${identity.id}': {}
      }
    }
    // The identity must hold its roles before the first revision reads a secret or a queue.
    dependsOn: [
      queueRoles
      tableRoles
      blobRole
      vaultSecretsUser
      serviceBusSender
      serviceBusReceiver
      registryPull
    ]
    properties: {
      environmentId: appEnvironment.id
      workloadProfileName: 'Consumption'
      configuration: {
        activeRevisionsMode: 'Single'
        // No ingress: the relay only reads queues and calls out to APNs and FCM.
        registries: empty(containerRegistryName)
          ? []
          : [
              {
                server: registry!.properties.loginServer
                identity: identity.id
              }
            ]
        secrets: [
          {
            name: secretNames.apnsKey
            keyVaultUrl: '${vault.properties.vaultUri}secrets/${secretNames.apnsKey}'
            identity: identity.id
          }
          {
            name: secretNames.fcmServiceAccount
            keyVaultUrl: '${vault.properties.vaultUri}secrets/${secretNames.fcmServiceAccount}'
            identity: identity.id
          }
          {
            name: secretNames.keyEncryptionKey
            keyVaultUrl: '${vault.properties.vaultUri}secrets/${secretNames.keyEncryptionKey}'
            identity: identity.id
          }
          {
            name: secretNames.conversationHashKey
            keyVaultUrl: '${vault.properties.vaultUri}secrets/${secretNames.conversationHashKey}'
            identity: identity.id
          }
          {
            name: 'appinsights-connection-string'
            value: appInsights.properties.ConnectionString
          }
        ]
      }
      template: {
        containers: [
          {
            name: 'relay'
            image: image
            resources: {
              cpu: json(containerCpu)
              memory: containerMemory
            }
            env: [
              // Identity-based storage connection (Functions conventions); no key anywhere.
              {
                name: 'AzureWebJobsStorage__accountName'
                value: storage.name
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
                name: 'AzureWebJobsStorage__blobServiceUri'
                value: storage.properties.primaryEndpoints.blob
              }
              {
                name: 'AzureWebJobsStorage__credential'
                value: 'managedidentity'
              }
              {
                name: 'AzureWebJobsStorage__clientId'
                value: identity.properties.clientId
              }
              {
                name: 'AZURE_CLIENT_ID'
                value: identity.properties.clientId
              }
              {
                name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
                secretRef: 'appinsights-connection-string'
              }
              {
                name: 'Functions__Enabled'
                value: app.functions
              }
              {
                name: 'Queues__Transport'
                value: useServiceBus ? 'ServiceBus' : 'StorageQueues'
              }
              {
                name: 'AzureWebJobsServiceBus__fullyQualifiedNamespace'
                value: serviceBusHost
              }
              {
                name: 'AzureWebJobsServiceBus__credential'
                value: 'managedidentity'
              }
              {
                name: 'AzureWebJobsServiceBus__clientId'
                value: identity.properties.clientId
              }
              {
                name: 'Queues__Calls'
                value: queueNames.calls
              }
              {
                name: 'Queues__Messages'
                value: queueNames.messages
              }
              {
                name: 'Queues__Devices'
                value: queueNames.devices
              }
              {
                name: 'Registry__DevicesTable'
                value: tableNames.devices
              }
              {
                name: 'Ledger__Table'
                value: tableNames.deliveries
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
                name: 'Apns__PrivateKeyPath'
                value: '${secretsMountPath}/${secretNames.apnsKey}'
              }
              {
                name: 'Fcm__ServiceAccountPath'
                value: '${secretsMountPath}/${secretNames.fcmServiceAccount}'
              }
              {
                name: 'Registry__KeyEncryptionKey'
                secretRef: secretNames.keyEncryptionKey
              }
              {
                name: 'Registry__KeyEncryptionKeyId'
                value: registryKeyEncryptionKeyId
              }
              {
                name: 'Routing__ConversationHashKey'
                secretRef: secretNames.conversationHashKey
              }
            ]
            volumeMounts: [
              {
                volumeName: 'provider-credentials'
                mountPath: secretsMountPath
              }
            ]
          }
        ]
        // Only the two credential files are mounted; the keys stay env secrets and never touch disk.
        volumes: [
          {
            name: 'provider-credentials'
            storageType: 'Secret'
            secrets: [
              {
                secretRef: secretNames.apnsKey
                path: secretNames.apnsKey
              }
              {
                secretRef: secretNames.fcmServiceAccount
                path: secretNames.fcmServiceAccount
              }
            ]
          }
        ]
        scale: {
          minReplicas: app.name == 'calls' ? callsMinReplicas : messagesMinReplicas
          maxReplicas: app.name == 'calls' ? callsMaxReplicas : messagesMaxReplicas
          // KEDA authenticates with the same managed identity (the `identity` property), so no
          // connection string is stored as a scaler secret.
          rules: [
            for queueName in app.queues: useServiceBus
              ? {
                  name: '${queueName}-servicebus'
                  custom: {
                    type: 'azure-servicebus'
                    identity: identity.id
                    metadata: {
                      namespace: serviceBus.name
                      queueName: queueName
                      messageCount: string(queueLengthPerReplica)
                    }
                  }
                }
              : {
                  name: '${queueName}-queue'
                  custom: {
                    type: 'azure-queue'
                    identity: identity.id
                    metadata: {
                      accountName: storage.name
                      queueName: queueName
                      queueLength: string(queueLengthPerReplica)
                    }
                  }
                }
          ]
        }
      }
    }
  }
]

// ---------------------------------------------------------------------------------------------
// Outputs (names only: nothing secret)
// ---------------------------------------------------------------------------------------------

output storageAccountName string = storage.name
output queueNames object = queueNames
output poisonQueueNames array = [for name in items(queueNames): '${name.value}-poison']
output tableNames array = tableList
output runtimeContainerName string = runtimeContainer.name
output serviceBusNamespace string = useServiceBus ? serviceBus.name : ''
output keyVaultName string = vault.name
output keyVaultSecretNames object = secretNames
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output appNames array = [for (app, i) in relayApps: deployApps ? apps[i].name : '']
// Without ingress an app has no public FQDN; the revision FQDN is what the portal links to.
output appFqdns array = [for (app, i) in relayApps: deployApps ? apps[i].?properties.?latestRevisionFqdn ?? '' : '']
output applicationInsightsName string = appInsights.name
output logAnalyticsWorkspaceName string = workspace.name
