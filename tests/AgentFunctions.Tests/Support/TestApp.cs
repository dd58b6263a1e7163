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

        // As the Functions host answers: a single-instance read without inputs and outputs carries no custom status
        // either; a query without them keeps the custom status (Azure Storage backend). Neither attaches a converter.
        Client.Setup(c => c.GetInstancesAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string id, bool withInputs, CancellationToken _) =>
                Instances.GetValueOrDefault(id) is { } instance ? Fetched(instance, withInputs, keepCustomStatus: false) : null);
        Client.Setup(c => c.GetAllInstancesAsync(It.IsAny<OrchestrationQuery?>()))
            .Returns((OrchestrationQuery? query) => Pageable.Create((string? _, CancellationToken _) =>
            {
                Queries.Add(query);
                var items = Instances.Values
                    .Where(i => query?.InstanceIdPrefix is not { } prefix || i.InstanceId.StartsWith(prefix, StringComparison.Ordinal))
                    .OrderBy(i => i.InstanceId, StringComparer.Ordinal)
                    .Select(i => Fetched(i, query?.FetchInputsAndOutputs == true, keepCustomStatus: true))
                    .ToList();
                return Task.FromResult(new Microsoft.DurableTask.Page<OrchestrationMetadata>(items));
            }));
    }

    /// <summary>The instance queries the code under test made.</summary>
    public List<OrchestrationQuery?> Queries { get; } = [];

    public ServiceProvider Services { get; }

    public InMemoryArtifactStore Artifacts { get; } = new();

    public InMemoryDeadLetterStore DeadLetters { get; } = new();

    public ManualTime Time { get; } = new(Start);

    public Mock<WorkQueues> Queues { get; } = new(new QueueServiceClient("UseDevelopmentStorage=true"));

    public Dictionary<string, Mock<QueueClient>> WorkQueueMocks { get; } = new(StringComparer.Ordinal);

    public Mock<DurableTaskClient> Client { get; } = new("test") { CallBase = true };

    public Mock<Azure.Storage.Blobs.BlobServiceClient> Blobs { get; } = new();

    /// <summary>Orchestration instances the mocked client knows, by instance id.</summary>
    public Dictionary<string, OrchestrationMetadata> Instances { get; } = new(StringComparer.Ordinal);

    public static JsonDataConverter Converter { get; } = new(CoreJson.Options);

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
    public OrchestrationMetadata AddTask(TaskInput input, OrchestrationRuntimeStatus status = OrchestrationRuntimeStatus.Running, TaskState? state = null)
    {
        var plan = input.ToPlan();
        var taskState = state ?? WorkflowDecider.Start(plan, Start).State;
        var instance = new OrchestrationMetadata(OrchestrationNames.AgentTask, plan.Id)
        {
            RuntimeStatus = status,
            CreatedAt = Start,
            LastUpdatedAt = Start,
            SerializedInput = Converter.Serialize(input),
            SerializedCustomStatus = CustomStatusView.ToCustomStatus(Core.Status.TaskViewProjector.ToView(taskState)).GetRawText(),
            DataConverter = Converter,
        };
        Instances[plan.Id] = instance;
        return instance;
    }

    /// <summary>A remote-role sub-orchestration waiting for <paramref name="attempt"/>.</summary>
    public void AddRemoteRole(string taskId, string role, int attempt, OrchestrationRuntimeStatus status = OrchestrationRuntimeStatus.Running)
    {
        var id = OrchestrationNames.RemoteInstanceId(taskId, role);
        Instances[id] = new OrchestrationMetadata(OrchestrationNames.RemoteRole, id)
        {
            RuntimeStatus = status,
            CreatedAt = Start,
            LastUpdatedAt = Start,
            SerializedCustomStatus = Converter.Serialize(new RemoteAttemptStatus(taskId, role, attempt)),
            DataConverter = Converter,
        };
    }

    public void Dispose() => Services.Dispose();

    private static OrchestrationMetadata Fetched(OrchestrationMetadata instance, bool withInputs, bool keepCustomStatus) => withInputs
        ? instance
        : new OrchestrationMetadata(instance.Name, instance.InstanceId)
        {
            RuntimeStatus = instance.RuntimeStatus,
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = instance.LastUpdatedAt,
            SerializedCustomStatus = keepCustomStatus ? instance.SerializedCustomStatus : null,
        };
}
