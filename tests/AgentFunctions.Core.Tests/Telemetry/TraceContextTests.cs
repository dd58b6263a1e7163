using System.Diagnostics;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Prompts;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Commands;

namespace AgentFunctions.Core.Tests.Telemetry;

public sealed class TraceContextTests
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a traceparent")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7")]
    public void A_malformed_traceparent_is_no_context(string? header) => Assert.Null(TraceContext.TryParse(header));

    [Fact]
    public void A_traceparent_reads_its_ids_flags_and_state()
    {
        var context = TraceContext.TryParse(TraceParent, "vendor=a")!;

        Assert.Equal(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true, "vendor=a"), (context.TraceId, context.SpanId, context.Sampled, context.TraceState));
        Assert.False(TraceContext.TryParse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")!.Sampled);
        Assert.Null(TraceContext.TryParse(TraceParent, new string('x', TraceContext.MaxTraceStateLength + 1))!.TraceState);
    }

    [Fact]
    public void An_attempts_context_is_the_same_wherever_it_is_derived_and_differs_per_role_and_attempt()
    {
        var task = TraceContext.TryParse(TraceParent, "vendor=a")!;

        var first = task.ForAttempt("review", 1);

        Assert.Equal(first, TraceContext.TryParse(TraceParent, "vendor=a")!.ForAttempt("review", 1));
        Assert.Equal((task.TraceId, "vendor=a", true), (first.TraceId, first.TraceState, first.Sampled));
        var spanIds = new[] { first, task.ForAttempt("review", 2), task.ForAttempt("docs", 1), task }.Select(c => c.SpanId).ToList();
        Assert.Equal(spanIds.Count, spanIds.Distinct().Count());
        Assert.NotNull(TraceContext.TryParse(first.TraceParent));
    }

    [Fact]
    public void A_new_context_continues_its_parents_trace_or_starts_a_sampled_one()
    {
        var parent = TraceContext.TryParse(TraceParent)!;

        var child = TraceContexts.NewChildOf(parent);
        var root = TraceContexts.NewChildOf(null);

        Assert.Equal(parent.TraceId, child.TraceId);
        Assert.NotEqual(parent.SpanId, child.SpanId);
        Assert.True(root.Sampled);
        Assert.NotEqual(parent.TraceId, root.TraceId);
    }

    [Fact]
    public void The_envelope_of_each_attempt_carries_that_attempts_context()
    {
        var spec = new TaskSpec { Id = "t1", To = ["review"], Instructions = "Review." };
        var state = WorkflowDecider.Start(new TaskPlan { Spec = spec, Roles = [new RolePlan("review", RetrySchedule.Default, false)], ApprovalTimeout = TimeSpan.FromHours(1), Trace = TraceContext.TryParse(TraceParent) }, DateTimeOffset.UnixEpoch).State;

        var second = AttemptFactory.Create(state, new RunRoleAttempt("review", 0, 2, null, TaskPriority.Normal, RetrySchedule.Default, []));
        var untraced = AttemptFactory.Create(state with { Trace = null }, new RunRoleAttempt("review", 0, 2, null, TaskPriority.Normal, RetrySchedule.Default, []));

        Assert.Equal(state.Trace!.ForAttempt("review", 2).TraceParent, second.TraceParent);
        Assert.Equal(state.Trace.ForAttempt("review", 3).TraceParent, AttemptFactory.Renumber(second, 3, state.Trace).TraceParent);
        Assert.Null(untraced.TraceParent);
    }

    [Fact]
    public void A_worker_span_report_is_checked_field_by_field()
    {
        var good = new WorkerSpan { TraceParent = TraceParent, ParentSpanId = "b7ad6b7169203331", StartedAt = DateTimeOffset.UnixEpoch.AddSeconds(1), EndedAt = DateTimeOffset.UnixEpoch.AddSeconds(2) };

        Assert.Null(good.Explain());
        Assert.Equal(new ActivityContext(ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736"), ActivitySpanId.CreateFromString("b7ad6b7169203331"), ActivityTraceFlags.Recorded, isRemote: true), good.ParentContext());
        Assert.StartsWith("workerSpan.traceparent:", (good with { TraceParent = "x" }).Explain(), StringComparison.Ordinal);
        Assert.StartsWith("workerSpan.parentSpanId:", (good with { ParentSpanId = "B7AD6B7169203331" }).Explain(), StringComparison.Ordinal);
        Assert.StartsWith("workerSpan.name:", (good with { Name = new string('n', WorkerSpan.MaxNameLength + 1) }).Explain(), StringComparison.Ordinal);
        Assert.StartsWith("workerSpan:", (good with { EndedAt = good.StartedAt.AddSeconds(-1) }).Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_span_takes_the_id_chosen_for_it()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AgentTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var task = TraceContext.TryParse(TraceParent)!;
        var attempt = task.ForAttempt("review", 1);

        using var span = AttemptSpans.Start(task, "t1", "review", 1, DateTimeOffset.UtcNow.AddSeconds(-3));

        Assert.True(AgentTelemetry.CanChooseSpanIds);
        Assert.NotNull(span);
        Assert.Equal((attempt.TraceId, attempt.SpanId, task.SpanId), (span.TraceId.ToHexString(), span.SpanId.ToHexString(), span.ParentSpanId.ToHexString()));
        Assert.Equal(attempt.TraceParent, span.Id);
    }
}
