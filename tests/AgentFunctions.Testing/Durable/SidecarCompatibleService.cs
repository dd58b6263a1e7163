using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// An orchestration service that hands a storing backend (DurableTask.AzureStorage) what the Functions host's own
/// sidecar would: the Microsoft.DurableTask.InProcessTestHost 0.2.3-preview.1 sidecar, written for its in-memory
/// backend, records a sub-orchestration's start as its own subclass of <see cref="SubOrchestrationInstanceCreatedEvent"/>
/// (which the Azure Storage history table cannot serialize: the row keeps no event type, and the parent can never
/// load its history again), and passes the start event the protobuf map of tags as is (which the control queue cannot
/// read back). Fixed upstream (microsoft/durabletask-dotnet#695 for the tags). It also lets as many work items run
/// at once as the Durable Functions extension does by default (10 per core of orchestrations and of activities): the
/// sidecar takes its limits from the service, and the in-memory service allows one per core, past which the sidecar
/// polls every 500 ms. It also answers <see cref="GetOrchestrationHistoryAsync"/> for a backend that cannot (the
/// in-memory one throws <see cref="NotImplementedException"/>) from the runtime state of each instance's last committed
/// step, which is what that backend stores. Everything else goes straight through.
/// </summary>
internal sealed class SidecarCompatibleService(IOrchestrationService inner) :
    IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    /// <summary>Durable Functions' default maxConcurrentOrchestratorFunctions and maxConcurrentActivityFunctions.</summary>
    public static readonly int MaxConcurrentWorkItems = 10 * Environment.ProcessorCount;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HistoryEvent[]> _histories = new(StringComparer.Ordinal);

    private IOrchestrationService Service => inner;

    private IOrchestrationServiceClient Client => (IOrchestrationServiceClient)inner;

    private IOrchestrationServiceQueryClient Query => (IOrchestrationServiceQueryClient)inner;

    private IOrchestrationServicePurgeClient Purge => (IOrchestrationServicePurgeClient)inner;

    public int TaskOrchestrationDispatcherCount => Service.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => Math.Max(Service.MaxConcurrentTaskOrchestrationWorkItems, MaxConcurrentWorkItems);

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => Service.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => Service.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => Math.Max(Service.MaxConcurrentTaskActivityWorkItems, MaxConcurrentWorkItems);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        ArgumentNullException.ThrowIfNull(newOrchestrationRuntimeState);
        ArgumentNullException.ThrowIfNull(orchestratorMessages);
        Replace(newOrchestrationRuntimeState.Events);
        Replace(newOrchestrationRuntimeState.NewEvents);
        if (newOrchestrationRuntimeState.OrchestrationInstance?.InstanceId is { } instanceId)
        {
            _histories[instanceId] = [.. newOrchestrationRuntimeState.Events];
        }
        foreach (var message in orchestratorMessages)
        {
            if (message.Event is ExecutionStartedEvent { Tags: { } tags } started && tags.GetType() != typeof(Dictionary<string, string>))
            {
                started.Tags = new Dictionary<string, string>(tags, StringComparer.Ordinal);
            }
        }

        return Service.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);
    }

    public Task StartAsync() => Service.StartAsync();

    public Task StopAsync() => Service.StopAsync();

    public Task StopAsync(bool isForced) => Service.StopAsync(isForced);

    public Task CreateAsync() => Service.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => Service.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => Service.CreateIfNotExistsAsync();

    public Task DeleteAsync() => Service.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => Service.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        Service.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => Service.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => Service.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        Service.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => Service.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Service.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => Service.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        Service.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => Service.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        Service.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => Service.AbandonTaskActivityWorkItemAsync(workItem);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => Client.CreateTaskOrchestrationAsync(creationMessage);

    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses) =>
        Client.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);

    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => Client.SendTaskOrchestrationMessageAsync(message);

    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages) => Client.SendTaskOrchestrationMessageBatchAsync(messages);

    public Task<OrchestrationState> WaitForOrchestrationAsync(string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken) =>
        Client.WaitForOrchestrationAsync(instanceId, executionId, timeout, cancellationToken);

    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) => Client.ForceTerminateTaskOrchestrationAsync(instanceId, reason);

    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) =>
        Client.GetOrchestrationStateAsync(instanceId, allExecutions);

    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) =>
        Client.GetOrchestrationStateAsync(instanceId, executionId);

    /// <summary>The backend's history as JSON (DurableTask.AzureStorage's format: the events with their <c>EventType</c>).</summary>
    public async Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId)
    {
        try
        {
            return await Client.GetOrchestrationHistoryAsync(instanceId, executionId);
        }
        catch (NotImplementedException)
        {
            return Newtonsoft.Json.JsonConvert.SerializeObject(_histories.TryGetValue(instanceId, out var events) ? events : []);
        }
    }

    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        Client.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);

    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        Query.GetOrchestrationWithQueryAsync(query, cancellationToken);

    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId)
    {
        _histories.TryRemove(instanceId, out _);
        return Purge.PurgeInstanceStateAsync(instanceId);
    }

    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) => Purge.PurgeInstanceStateAsync(purgeInstanceFilter);

    private static void Replace(IList<HistoryEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = new SubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Timestamp = created.Timestamp,
                    IsPlayed = created.IsPlayed,
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                    ClientSpanId = created.ClientSpanId,
                    Tags = created.Tags is null ? null : new Dictionary<string, string>(created.Tags, StringComparer.Ordinal),
                };
            }
        }
    }
}
