using AgentFunctions.Core.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Moq;

namespace AgentFunctions.Tests.Support;

/// <summary>
/// A Durable client that knows a set of orchestration instances and answers reads and queries as the Functions host
/// does. The orchestrations themselves run on the real Durable runtime in AgentFunctions.Durable.Tests; here only
/// what the code under test asks of the client matters.
/// </summary>
internal sealed class DurableClientDouble
{
    public DurableClientDouble()
    {
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
                    .Where(i => query?.Statuses is not { } statuses || statuses.Contains(i.RuntimeStatus))
                    .OrderBy(i => i.InstanceId, StringComparer.Ordinal)
                    .Select(i => Fetched(i, query?.FetchInputsAndOutputs == true, keepCustomStatus: true))
                    .ToList();
                return Task.FromResult(new Page<OrchestrationMetadata>(items));
            }));
    }

    public static JsonDataConverter Converter { get; } = new(CoreJson.Options);

    public Mock<DurableTaskClient> Client { get; } = new("test") { CallBase = true };

    /// <summary>Orchestration instances the client knows, by instance id.</summary>
    public Dictionary<string, OrchestrationMetadata> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>The instance queries the code under test made.</summary>
    public List<OrchestrationQuery?> Queries { get; } = [];

    /// <summary>A task instance started with <paramref name="input"/>, as the Durable client would report it.</summary>
    public OrchestrationMetadata AddTask(TaskInput input, DateTimeOffset at, OrchestrationRuntimeStatus status = OrchestrationRuntimeStatus.Running, TaskState? state = null)
    {
        var plan = input.ToPlan();
        var taskState = state ?? WorkflowDecider.Start(plan, at).State;
        var instance = new OrchestrationMetadata(OrchestrationNames.AgentTask, plan.Id)
        {
            RuntimeStatus = status,
            CreatedAt = at,
            LastUpdatedAt = at,
            SerializedInput = Converter.Serialize(input),
            SerializedCustomStatus = CustomStatusView.ToCustomStatus(Core.Status.TaskViewProjector.ToView(taskState)).GetRawText(),
            DataConverter = Converter,
        };
        Instances[plan.Id] = instance;
        return instance;
    }

    /// <summary>A remote-role sub-orchestration waiting for <paramref name="attempt"/>, whose queue message has the send receipt <paramref name="queued"/>.</summary>
    public void AddRemoteRole(string taskId, string role, int attempt, DateTimeOffset at, OrchestrationRuntimeStatus status = OrchestrationRuntimeStatus.Running, string? queued = null)
    {
        var id = OrchestrationNames.RemoteInstanceId(taskId, role);
        Instances[id] = new OrchestrationMetadata(OrchestrationNames.RemoteRole, id)
        {
            RuntimeStatus = status,
            CreatedAt = at,
            LastUpdatedAt = at,
            SerializedCustomStatus = Converter.Serialize(new RemoteAttemptStatus(taskId, role, attempt, queued)),
            DataConverter = Converter,
        };
    }

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
