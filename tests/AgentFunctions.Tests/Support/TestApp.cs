using AgentFunctions.Core.Json;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Hosting;
using AgentFunctions.Orchestration;
using Azure.Storage.Queues;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.DurableTask;
using Moq;

namespace AgentFunctions.Tests.Support;

/// <summary>
/// The app's real service registration (AddAgentFunctionsApp) over in-memory stores, mocked queues and a mocked
/// Durable client: the triggers under test run the same handlers, engine and lease code as in Azure.
/// </summary>
internal sealed class TestApp : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);

    public TestApp(IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            [StorageNames.Connection] = "UseDevelopmentStorage=true",
            ["Roles:impl:Runner"] = "echo",
            ["Roles:review:Runner"] = "echo",
            ["Roles:docs:Runner"] = "echo",
            ["Roles:worker:Runner"] = "remote",
            ["Roles:worker:LeaseSeconds"] = "30",
            ["Roles:worker:Retry:MaxAttempts"] = "3",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAgentFunctionsApp(configuration);
        services.AddSingleton<IArtifactStore>(Artifacts);
        services.AddSingleton<IDeadLetterStore>(DeadLetters);
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Queues.Object);
        services.AddSingleton(Blobs.Object);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Queues.Setup(q => q.For(It.IsAny<string>())).Returns((string role) => WorkQueue(role).Object);
        Queues.Setup(q => q.For(It.IsAny<WorkRoute>())).Returns((WorkRoute route) => WorkQueue(route.Role).Object);
        Queues.Setup(q => q.EnsureAsync(It.IsAny<WorkRoute>(), It.IsAny<CancellationToken>())).ReturnsAsync((WorkRoute route, CancellationToken _) => WorkQueue(route.Role).Object);
        Queues.Setup(q => q.RoutesAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((string role, CancellationToken _) => [WorkRoute.Default(role)]);

        // No circuit breaker has been written yet: every blob read answers 404 and a write succeeds.
        var circuitBlob = new Mock<Azure.Storage.Blobs.BlobClient>();
        circuitBlob.Setup(b => b.DownloadContentAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Azure.RequestFailedException(404, "The specified blob does not exist."));
        circuitBlob.Setup(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<Azure.Storage.Blobs.Models.BlobUploadOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Azure.Response.FromValue(Mock.Of<Azure.Storage.Blobs.Models.BlobContentInfo>(), Mock.Of<Azure.Response>()));
        var container = new Mock<Azure.Storage.Blobs.BlobContainerClient>();
        container.Setup(c => c.GetBlobClient(It.IsAny<string>())).Returns(circuitBlob.Object);
        Blobs.Setup(b => b.GetBlobContainerClient(StorageNames.ArtifactsContainer)).Returns(container.Object);
    }

    public DurableClientDouble Durable { get; } = new();

    /// <summary>The instance queries the code under test made.</summary>
    public List<OrchestrationQuery?> Queries => Durable.Queries;

    public ServiceProvider Services { get; }

    public InMemoryArtifactStore Artifacts { get; } = new();

    public InMemoryDeadLetterStore DeadLetters { get; } = new();

    public ManualTime Time { get; } = new(Start);

    public Mock<WorkQueues> Queues { get; } = new(new QueueServiceClient("UseDevelopmentStorage=true"), TimeProvider.System);

    public Dictionary<string, Mock<QueueClient>> WorkQueueMocks { get; } = new(StringComparer.Ordinal);

    public Mock<DurableTaskClient> Client => Durable.Client;

    public Mock<Azure.Storage.Blobs.BlobServiceClient> Blobs { get; } = new();

    /// <summary>Orchestration instances the mocked client knows, by instance id.</summary>
    public Dictionary<string, OrchestrationMetadata> Instances => Durable.Instances;

    public static JsonDataConverter Converter => DurableClientDouble.Converter;

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public Mock<QueueClient> WorkQueue(string role)
    {
        if (!WorkQueueMocks.TryGetValue(role, out var queue))
        {
            WorkQueueMocks[role] = queue = new Mock<QueueClient>();
            queue.Setup(q => q.Name).Returns(StorageNames.WorkQueue(role));
        }

        return queue;
    }

    /// <summary>A task instance as the Durable client would report it.</summary>
    public OrchestrationMetadata AddTask(TaskPlan plan, OrchestrationRuntimeStatus status = OrchestrationRuntimeStatus.Running, TaskState? state = null) =>
        AddTask(TaskInput.From(plan), status, state);

    /// <summary>A task instance started with <paramref name="input"/>, as the Durable client would report it.</summary>
    public OrchestrationMetadata AddTask(TaskInput input, OrchestrationRuntimeStatus status = OrchestrationRuntimeStatus.Running, TaskState? state = null) =>
        Durable.AddTask(input, Start, status, state);

    /// <summary>A remote-role sub-orchestration waiting for <paramref name="attempt"/>.</summary>
    public void AddRemoteRole(string taskId, string role, int attempt, OrchestrationRuntimeStatus status = OrchestrationRuntimeStatus.Running) =>
        Durable.AddRemoteRole(taskId, role, attempt, Start, status);

    public void Dispose() => Services.Dispose();
}
