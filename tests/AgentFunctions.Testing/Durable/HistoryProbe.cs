using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using P = Microsoft.DurableTask.Protobuf;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// Watches the work items the sidecar sends the worker: for each orchestration instance, the longest history one
/// episode replayed (past and new events) and how many executions it had (a continue-as-new starts a new one).
/// This is the history every step of an orchestration replays, whatever the backend keeps.
/// </summary>
public sealed class HistoryProbe : Interceptor
{
    private readonly ConcurrentDictionary<string, InstanceHistory> _instances = new(StringComparer.Ordinal);

    /// <summary>What was seen of <paramref name="instanceId"/> so far (zeros if nothing).</summary>
    public InstanceHistory Of(string instanceId) => _instances.GetValueOrDefault(instanceId) ?? new InstanceHistory(0, 0, 0);

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return responseStream is IServerStreamWriter<P.WorkItem> workItems
            ? continuation(request, (IServerStreamWriter<TResponse>)(object)new Recorder(workItems, this), context)
            : continuation(request, responseStream, context);
    }

    private void Record(P.OrchestratorRequest request)
    {
        var events = request.PastEvents.Count + request.NewEvents.Count;
        var executionStarts = request.NewEvents.Count(e => e.EventTypeCase == P.HistoryEvent.EventTypeOneofCase.ExecutionStarted);
        _instances.AddOrUpdate(
            request.InstanceId,
            _ => new InstanceHistory(events, executionStarts, 1),
            (_, seen) => new InstanceHistory(Math.Max(seen.LongestEpisode, events), seen.Executions + executionStarts, seen.WorkItems + 1));
    }

    private sealed class Recorder(IServerStreamWriter<P.WorkItem> inner, HistoryProbe probe) : IServerStreamWriter<P.WorkItem>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(P.WorkItem message)
        {
            ArgumentNullException.ThrowIfNull(message);
            if (message.OrchestratorRequest is { } orchestration)
            {
                probe.Record(orchestration);
            }

            return inner.WriteAsync(message);
        }
    }
}
