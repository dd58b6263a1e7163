using DurableTask.Core;
using DurableTask.Core.History;
using Grpc.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;
using P = Microsoft.DurableTask.Protobuf;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// The in-process sidecar, answering a client's <c>StreamInstanceHistory</c> (durabletask-dotnet's
/// <c>DurableTaskClient.GetOrchestrationHistoryAsync</c>) the way the Functions host does since the Durable extension
/// added it for .NET isolated (Azure/azure-functions-durable-extension#3268): the backend's history of the instance as
/// JSON (<see cref="IOrchestrationServiceClient.GetOrchestrationHistoryAsync"/>), read into history events, sent as
/// protobuf in chunks. The sidecar of Microsoft.DurableTask.InProcessTestHost 0.2.3-preview.1 streams only the history
/// of a work item it is processing; that case (<c>ForWorkItemProcessing</c>) still goes to it.
/// </summary>
public sealed class HistoryServingGrpcServer : TaskHubGrpcServer
{
    private const int MaxChunkEvents = 200;

    private readonly IOrchestrationServiceClient _client;

    public HistoryServingGrpcServer(
        IHostApplicationLifetime lifetime,
        ILoggerFactory loggerFactory,
        IOrchestrationService service,
        IOrchestrationServiceClient client,
        IOptions<TaskHubGrpcServerOptions> options)
        : base(lifetime, loggerFactory, service, client, options)
    {
        _client = client;
    }

    public override async Task StreamInstanceHistory(P.StreamInstanceHistoryRequest request, IServerStreamWriter<P.HistoryChunk> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        if (request.ForWorkItemProcessing)
        {
            await base.StreamInstanceHistory(request, responseStream, context);
            return;
        }

        var json = await _client.GetOrchestrationHistoryAsync(request.InstanceId, request.ExecutionId);
        var chunk = new P.HistoryChunk();
        foreach (var historyEvent in Read(json))
        {
            chunk.Events.Add(ProtobufUtils.ToHistoryEventProto(historyEvent));
            if (chunk.Events.Count == MaxChunkEvents)
            {
                await responseStream.WriteAsync(chunk);
                chunk = new P.HistoryChunk();
            }
        }

        if (chunk.Events.Count > 0)
        {
            await responseStream.WriteAsync(chunk);
        }
    }

    /// <summary>History events from the backend's JSON, each by its <c>EventType</c>; kinds the API does not stream are left out.</summary>
    internal static IEnumerable<HistoryEvent> Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            yield break;
        }

        foreach (var item in JArray.Parse(json).OfType<JObject>())
        {
            if (item["EventType"] is not { } typeToken || TypeOf((EventType)typeToken.Value<int>()) is not { } type)
            {
                continue;
            }

            if (item.ToObject(type) is HistoryEvent historyEvent)
            {
                yield return historyEvent;
            }
        }
    }

    private static Type? TypeOf(EventType type) => type switch
    {
        EventType.ExecutionStarted => typeof(ExecutionStartedEvent),
        EventType.ExecutionCompleted => typeof(ExecutionCompletedEvent),
        EventType.ExecutionTerminated => typeof(ExecutionTerminatedEvent),
        EventType.TaskScheduled => typeof(TaskScheduledEvent),
        EventType.TaskCompleted => typeof(TaskCompletedEvent),
        EventType.TaskFailed => typeof(TaskFailedEvent),
        EventType.SubOrchestrationInstanceCreated => typeof(SubOrchestrationInstanceCreatedEvent),
        EventType.SubOrchestrationInstanceCompleted => typeof(SubOrchestrationInstanceCompletedEvent),
        EventType.SubOrchestrationInstanceFailed => typeof(SubOrchestrationInstanceFailedEvent),
        EventType.TimerCreated => typeof(TimerCreatedEvent),
        EventType.TimerFired => typeof(TimerFiredEvent),
        EventType.OrchestratorStarted => typeof(OrchestratorStartedEvent),
        EventType.OrchestratorCompleted => typeof(OrchestratorCompletedEvent),
        EventType.EventSent => typeof(EventSentEvent),
        EventType.EventRaised => typeof(EventRaisedEvent),
        EventType.ContinueAsNew => typeof(ContinueAsNewEvent),
        EventType.GenericEvent => typeof(GenericEvent),
        _ => null,
    };
}
