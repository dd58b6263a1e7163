using System.Text.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;
using Microsoft.DurableTask;

namespace AgentFunctions.Tests.Orchestration;

public sealed class FailureAndEventParsingTests
{
    [Fact]
    public void A_permanent_failure_is_recognised_by_type_and_is_not_retried()
    {
        var details = new TaskFailureDetails(typeof(PermanentAttemptException).FullName!, "[permanent] 404 from the agent", null, null, null);

        Assert.Equal((FailureKind.Permanent, "404 from the agent"), AttemptErrors.Describe(details));
        Assert.False(AttemptErrors.IsRetryable(details));
    }

    [Fact]
    public void A_permanent_failure_wrapped_by_the_worker_is_recognised_by_its_marker()
    {
        var inner = new TaskFailureDetails("System.Exception", "Result: Failure Exception: [permanent] unknown runner", null, null, null);
        var details = new TaskFailureDetails("Microsoft.Azure.Functions.Worker.FunctionInvocationException", "Function failed", null, inner, null);

        Assert.Equal((FailureKind.Permanent, "unknown runner"), AttemptErrors.Describe(details));
    }

    [Fact]
    public void Anything_else_is_transient_and_retried()
    {
        var details = new TaskFailureDetails("System.TimeoutException", "timed out", null, null, null);

        Assert.Equal((FailureKind.Transient, "timed out"), AttemptErrors.Describe(details));
        Assert.True(AttemptErrors.IsRetryable(details));
    }

    [Theory]
    [InlineData("""{ "decision": "approve", "by": "ana", "note": "ok" }""", ApprovalDecision.Approve, "ana", "ok", null)]
    [InlineData("""{ "Decision": "REJECT", "By": "lead", "reason": "no", "role": "review" }""", ApprovalDecision.Reject, "lead", "no", "review")]
    public void Approval_bodies_are_read_leniently(string json, ApprovalDecision decision, string by, string note, string? role)
    {
        var parsed = ExternalEventParser.ParseApproval(JsonDocument.Parse(json).RootElement);

        Assert.Equal(new Core.Workflow.Events.ApprovalDecided(decision, by, note, role), parsed);
    }

    [Theory]
    [InlineData("""{ "decision": "perhaps" }""")]
    [InlineData("""{ "decision": "approve", "role": "Not A Role" }""")]
    [InlineData("42")]
    public void Approval_bodies_that_decide_nothing_are_ignored(string json) =>
        Assert.Null(ExternalEventParser.ParseApproval(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void Any_cancel_body_cancels() =>
        Assert.Equal(new Core.Workflow.Events.CancelRequested(null, null), ExternalEventParser.ParseCancel(JsonDocument.Parse("null").RootElement));
}
