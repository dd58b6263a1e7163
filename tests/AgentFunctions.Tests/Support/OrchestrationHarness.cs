using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Moq.Protected;

namespace AgentFunctions.Tests.Support;

/// <summary>
/// A mocked <see cref="TaskOrchestrationContext"/> that records what an orchestrator asks for (activities,
/// sub-orchestrations, timers, event waits, custom status, sent events) and lets a test complete each piece.
/// Continuations run inline, outside any synchronization context, so each step runs the orchestrator to its next await.
/// </summary>
internal sealed class OrchestrationHarness
{
    private readonly Dictionary<string, Func<object?, object?>> _autoActivities = new(StringComparer.Ordinal);

    public OrchestrationHarness(object input, string instanceId = "t1")
    {
        Context = new Mock<TaskOrchestrationContext> { CallBase = true };
        Context.Setup(c => c.InstanceId).Returns(instanceId);
        Context.Setup(c => c.CurrentUtcDateTime).Returns(() => Now);
        Context.Setup(c => c.IsReplaying).Returns(false);
        Context.Protected().Setup<ILoggerFactory>("LoggerFactory").Returns(NullLoggerFactory.Instance);
        SetupInput(input);

        // Moq matches a setup's generic argument by assignability: the catch-all object setup goes first, so the typed ones win.
        Context.Setup(c => c.CallActivityAsync<object>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? activityInput, TaskOptions? options) => Record<object>(name, activityInput, options));
        Context.Setup(c => c.CallActivityAsync<AgentFunctions.Orchestration.RoleRoute[]>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? activityInput, TaskOptions? options) => Record<AgentFunctions.Orchestration.RoleRoute[]>(name, activityInput, options));
        Context.Setup(c => c.CallActivityAsync<AgentFunctions.Orchestration.RoleAttemptOutcome>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? activityInput, TaskOptions? options) => Record<AgentFunctions.Orchestration.RoleAttemptOutcome>(name, activityInput, options));
        Context.Setup(c => c.CallActivityAsync<string>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? activityInput, TaskOptions? options) => Record<string>(name, activityInput, options));
        Context.Setup(c => c.CallActivityAsync<AgentFunctions.Orchestration.RemoteDispatch>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? activityInput, TaskOptions? options) => Record<AgentFunctions.Orchestration.RemoteDispatch>(name, activityInput, options));
        Context.Setup(c => c.CallActivityAsync<AgentFunctions.Orchestration.AttemptAdmission>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? activityInput, TaskOptions? options) => Record<AgentFunctions.Orchestration.AttemptAdmission>(name, activityInput, options));
        Context.Setup(c => c.CallSubOrchestratorAsync<AgentFunctions.Orchestration.RemoteRoleOutcome>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? subInput, TaskOptions? options) =>
            {
                var call = new Call(name.Name, subInput, options, new TaskCompletionSource<object?>());
                SubOrchestrations.Add(call);
                return Typed<AgentFunctions.Orchestration.RemoteRoleOutcome>(call.Completion.Task);
            });
        Context.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Returns((DateTime fireAt, CancellationToken token) =>
            {
                var timer = new TimerCall(fireAt, token, new TaskCompletionSource());
                token.Register(() => timer.Completion.TrySetCanceled(token));
                Timers.Add(timer);
                return timer.Completion.Task;
            });
        Context.Setup(c => c.WaitForExternalEvent<JsonElement>(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string name, CancellationToken token) =>
            {
                var wait = new WaitCall(name, token, new TaskCompletionSource<JsonElement>());
                token.Register(() => wait.Completion.TrySetCanceled(token));
                Waits.Add(wait);
                return wait.Completion.Task;
            });
        Context.Setup(c => c.SetCustomStatus(It.IsAny<object?>())).Callback((object? status) => Statuses.Add(status));
        Context.Setup(c => c.SendEvent(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object>()))
            .Callback((string instance, string name, object payload) => Sent.Add((instance, name, payload)));
    }

    public Mock<TaskOrchestrationContext> Context { get; }

    public DateTime Now { get; set; } = new(2025, 1, 1, 8, 0, 0, DateTimeKind.Utc);

    public List<Call> Activities { get; } = [];

    public List<Call> SubOrchestrations { get; } = [];

    public List<TimerCall> Timers { get; } = [];

    public List<WaitCall> Waits { get; } = [];

    public List<object?> Statuses { get; } = [];

    public List<(string Instance, string Name, object Payload)> Sent { get; } = [];

    /// <summary>Activities with this name complete at once with the given answer.</summary>
    public void AutoComplete(string activity, Func<object?, object?> answer) => _autoActivities[activity] = answer;

    public Task<T> Start<T>(Func<TaskOrchestrationContext, Task<T>> orchestrator) => Step(() => orchestrator(Context.Object));

    public IEnumerable<Call> ActivitiesNamed(string name) => Activities.Where(a => a.Name == name);

    public void Complete(Call call, object? result) => Step(() => call.Completion.SetResult(result));

    public void Fail(Call call, Exception exception) => Step(() => call.Completion.SetException(exception));

    public void Fire(TimerCall timer)
    {
        Now = timer.FireAt > Now ? timer.FireAt : Now;
        Step(() => timer.Completion.SetResult());
    }

    /// <summary>Raises <paramref name="name"/> on the wait that is open for it.</summary>
    public void Raise(string name, string json)
    {
        var wait = Waits.Last(w => w.Name == name && !w.Completion.Task.IsCompleted);
        using var document = JsonDocument.Parse(json);
        var payload = document.RootElement.Clone();
        Step(() => wait.Completion.SetResult(payload));
    }

    public TimerCall OpenTimer(DateTime fireAt) => Timers.Single(t => t.FireAt == fireAt && !t.Completion.Task.IsCompleted);

    /// <summary>Every timer and event wait the orchestrator created has fired, arrived or been canceled.</summary>
    public bool NothingOutstanding() =>
        Timers.All(t => t.Completion.Task.IsCompleted) && Waits.All(w => w.Completion.Task.IsCompleted);

    private static T Step<T>(Func<T> action)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return action();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private static void Step(Action action) => Step(() =>
    {
        action();
        return 0;
    });

    private void SetupInput(object input)
    {
        switch (input)
        {
            case Core.Workflow.TaskPlan plan:
                Context.Setup(c => c.GetInput<AgentFunctions.Orchestration.TaskInput>()).Returns(AgentFunctions.Orchestration.TaskInput.From(plan));
                break;
            case AgentFunctions.Orchestration.TaskInput taskInput:
                Context.Setup(c => c.GetInput<AgentFunctions.Orchestration.TaskInput>()).Returns(taskInput);
                break;
            case AgentFunctions.Orchestration.RemoteRoleRequest request:
                Context.Setup(c => c.GetInput<AgentFunctions.Orchestration.RemoteRoleRequest>()).Returns(request);
                break;
            default:
                throw new ArgumentException("Unsupported orchestration input.", nameof(input));
        }
    }

    private Task<T> Record<T>(TaskName name, object? input, TaskOptions? options)
    {
        var call = new Call(name.Name, input, options, new TaskCompletionSource<object?>());
        Activities.Add(call);
        if (_autoActivities.TryGetValue(name.Name, out var answer))
        {
            call.Completion.SetResult(answer(input));
        }

        return Typed<T>(call.Completion.Task);
    }

    private static async Task<T> Typed<T>(Task<object?> task) => (T)(await task)!;

    internal sealed record Call(string Name, object? Input, TaskOptions? Options, TaskCompletionSource<object?> Completion)
    {
        public T InputAs<T>() => (T)Input!;
    }

    internal sealed record TimerCall(DateTime FireAt, CancellationToken Token, TaskCompletionSource Completion);

    internal sealed record WaitCall(string Name, CancellationToken Token, TaskCompletionSource<JsonElement> Completion);
}
