using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AgentFunctions.Hosting;

/// <summary>The Blob and Queue service clients of the <c>AzureWebJobsStorage</c> account.</summary>
public sealed record StorageClients(BlobServiceClient Blobs, QueueServiceClient Queues);
