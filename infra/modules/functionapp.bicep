import { appSettingsMap, resourceTags } from 'types.bicep'

// Flex Consumption plan (FC1) and the .NET 10 isolated function app. The app reaches storage,
// Application Insights and Key Vault with its user-assigned identity; no keys or secrets here.

@description('Function app name (globally unique; it becomes part of the default host name).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region; must offer the Flex Consumption plan.')
param location string

@description('Tags for the plan and the app.')
param tags resourceTags = {}

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Name of the storage account that holds the deployment container.')
param storageAccountName string

@description('Blob container that holds the deployment package.')
param deploymentContainerName string

@description('Upper bound of instances the app may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('.NET isolated runtime version.')
param runtimeVersion string = '10.0'

@description('The complete set of app settings (config/appsettings replaces any existing ones).')
param appSettings appSettingsMap

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    // Key Vault references (Roles__<role>__ApiKey) resolve with this identity.
    keyVaultReferenceIdentity: identityId
    // Flex Consumption rejects most legacy siteConfig properties (alwaysOn, ftpsState, linuxFxVersion, ...):
    // the runtime and scale settings live in functionAppConfig.
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
