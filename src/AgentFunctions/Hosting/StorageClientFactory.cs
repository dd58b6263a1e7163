using AgentFunctions.Core.Configuration;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Hosting;

/// <summary>
/// Builds the storage clients the way the Functions host reads <c>AzureWebJobsStorage</c>: a connection
/// string (Azurite locally), or identity-based settings in Azure — <c>AzureWebJobsStorage__blobServiceUri</c>
/// and <c>__queueServiceUri</c> (or <c>__accountName</c>), with <c>__credential=managedidentity</c> and
/// <c>__clientId</c> for a user-assigned identity.
/// </summary>
public static class StorageClientFactory
{
    public static StorageClients Create(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(StorageNames.Connection);
        var queueOptions = new QueueClientOptions
        {
            // The Functions queue trigger reads and writes base64 by default; the work queues use the same encoding.
            MessageEncoding = QueueMessageEncoding.Base64,
        };

        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            var connectionString = section.Value.Trim();
            try
            {
                return new StorageClients(new BlobServiceClient(connectionString), new QueueServiceClient(connectionString, queueOptions));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidConfigurationException($"{StorageNames.Connection}: is not a valid storage connection string ({ex.Message})", ex);
            }
        }

        var accountName = section["accountName"];
        var blobUri = ReadUri(section, "blobServiceUri") ?? AccountUri(accountName, "blob");
        var queueUri = ReadUri(section, "queueServiceUri") ?? AccountUri(accountName, "queue");
        if (blobUri is null || queueUri is null)
        {
            throw new InvalidConfigurationException(
                $"{StorageNames.Connection}: is required — a connection string (UseDevelopmentStorage=true with Azurite), or "
                + $"{StorageNames.Connection}__blobServiceUri and {StorageNames.Connection}__queueServiceUri (or {StorageNames.Connection}__accountName) for identity-based access");
        }

        var credential = CreateCredential(section);
        return new StorageClients(new BlobServiceClient(blobUri, credential), new QueueServiceClient(queueUri, credential, queueOptions));
    }

    private static TokenCredential CreateCredential(IConfigurationSection section)
    {
        var kind = section["credential"];
        var clientId = section["clientId"];
        if (string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId.Trim()));
        }

        if (!string.IsNullOrWhiteSpace(kind))
        {
            throw new InvalidConfigurationException($"{section.Path}:credential: must be 'managedidentity' or absent (got '{kind}')");
        }

        // Local development with identity-based settings: az login, Visual Studio, environment variables.
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim(),
        });
    }

    private static Uri? ReadUri(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw new InvalidConfigurationException($"{section.Path}:{key}: '{text}' is not an absolute http(s) URL");
    }

    private static Uri? AccountUri(string? accountName, string service) =>
        string.IsNullOrWhiteSpace(accountName) ? null : new Uri($"https://{accountName.Trim()}.{service}.core.windows.net");
}
