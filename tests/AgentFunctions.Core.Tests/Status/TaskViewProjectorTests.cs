using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Tests.Workflow;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Core.Tests.Status;

/// <summary>The task view of docs/api.md (GET /api/tasks/{id}) projected from decider state.</summary>
public class TaskViewProjectorTests
{
    private static readonly TaskSpec Spec = new()
    {
        Id = "t1",
        From = "coordinator",
        Stages = [["implementation", "review"], ["docs"]],
        Type = "code",
        Instructions = "x",
        Priority = TaskPriority.High,
        TtlSeconds = 3600,
        ReplyTo = "https://example.test/hook",
    };

    [Fact]
    public void View_has_the_task_fields()
    {
        var run = Running();

        var view = TaskViewProjector.ToView(run.State);

        Assert.Equal("t1", view.Id);
        Assert.Equal(AgentTaskStatus.Running, view.State);
        Assert.Equal("code", view.Type);
        Assert.Equal("coordinator", view.From);
        Assert.Equal(TaskPriority.High, view.Priority);
        Assert.Equal(Plans.T0, view.CreatedAt);
        Assert.Equal(Plans.T0.AddSeconds(30), view.UpdatedAt);
        Assert.Equal(Plans.T0.AddHours(1), view.DeadlineAt);
        Assert.Equal(0, view.Stage);
        Assert.Equal(2, view.StageCount);
        Assert.Equal("https://example.test/hook", view.ReplyTo);
        Assert.Null(view.Approval);
        Assert.Null(view.Outcome);
        Assert.Equal(new AgentUsage { InputTokens = 100, OutputTokens = 20, CostUsd = 0.01m }, view.Usage);
    }

    [Fact]
    public void View_has_each_role_s_state_attempts_and_result()
    {
        var view = TaskViewProjector.ToView(Running().State);

        Assert.Equal(["implementation", "review", "docs"], view.Roles.Select(r => r.Role));
        var implementation = view.Roles[0];
        Assert.Equal(RoleStatus.Succeeded, implementation.State);
        Assert.Equal(0, implementation.Stage);
        Assert.Equal(1, implementation.Attempt);
        Assert.Equal(3, implementation.MaxAttempts);
        Assert.Equal("tasks/t1/results/implementation.md", implementation.ResultRef);
        Assert.Equal("wrote the code", implementation.Summary);
        Assert.Null(implementation.NextAttemptAt);
        Assert.Equal(Plans.T0.AddSeconds(10), implementation.FinishedAt);

        var review = view.Roles[1];
        Assert.Equal(RoleStatus.Retrying, review.State);
        Assert.Equal(1, review.Attempt);
        Assert.Equal(3, review.MaxAttempts);
        Assert.Equal(Plans.T0.AddSeconds(32), review.NextAttemptAt);
        Assert.Equal("HTTP 503", review.LastError);
        Assert.Null(review.ResultRef);
        Assert.Null(review.Summary);

        var docs = view.Roles[2];
        Assert.Equal(RoleStatus.Pending, docs.State);
        Assert.Equal(1, docs.Stage);
        Assert.Equal(0, docs.Attempt);
    }

    [Fact]
    public void View_json_uses_the_field_names_of_the_contract()
    {
        var json = JsonSerializer.SerializeToElement(TaskViewProjector.ToView(Running().State), CoreJson.Options);

        foreach (var field in (string[])["id", "state", "type", "from", "priority", "createdAt", "updatedAt", "deadlineAt", "roles", "approval", "outcome"])
        {
            Assert.True(json.TryGetProperty(field, out _), $"the view has no '{field}'");
        }

        var role = json.GetProperty("roles")[1];
        foreach (var field in (string[])["role", "stage", "state", "attempt", "maxAttempts", "nextAttemptAt", "lastError", "resultRef", "summary"])
        {
            Assert.True(role.TryGetProperty(field, out _), $"a role view has no '{field}'");
        }

        Assert.Equal("running", json.GetProperty("state").GetString());
        Assert.Equal("high", json.GetProperty("priority").GetString());
        Assert.Equal("retrying", role.GetProperty("state").GetString());
        Assert.Equal("2026-11-25T12:00:32+00:00", role.GetProperty("nextAttemptAt").GetString());
    }

    [Fact]
    public void Approval_shows_what_waits_and_what_was_decided()
    {
        var plan = Plans.Build(
            new TaskSpec { Id = "t1", Stages = [["implementation"], ["deploy"]], Instructions = "x", RequiresApproval = true },
            gatedRoles: new HashSet<string> { "deploy" });
        var run = DeciderRun.Start(plan);

        var waiting = TaskViewProjector.ToView(run.State).Approval!;
        Assert.True(waiting.Pending);
        Assert.Equal(new PendingApprovalView(null, ApprovalKind.PreRun, Plans.T0, Plans.T0.AddHours(24)), Assert.Single(waiting.Waiting));
        Assert.Empty(waiting.Decisions);

        run.Advance(TimeSpan.FromMinutes(1));
        run.Apply(new ApprovalDecided(ApprovalDecision.Approve, "alice", "go", null));
        run.Succeed("implementation");

        var next = TaskViewProjector.ToView(run.State).Approval!;
        Assert.True(next.Pending);
        Assert.Equal("deploy", Assert.Single(next.Waiting).Role);
        Assert.Equal(new ApprovalDecisionView(null, ApprovalKind.PreRun, ApprovalDecision.Approve, "alice", "go", Plans.T0.AddMinutes(1)), Assert.Single(next.Decisions));
        Assert.Equal(AgentTaskStatus.AwaitingApproval, TaskViewProjector.ToView(run.State).State);
    }

    [Fact]
    public void Outcome_shows_how_the_task_ended_and_where_its_result_is()
    {
        var run = DeciderRun.Start(Plans.FanOut("implementation"));
        run.Advance(TimeSpan.FromSeconds(5));
        run.Succeed("implementation");

        var view = TaskViewProjector.ToView(run.State);

        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal(new OutcomeView(AgentTaskStatus.Completed, "1 role succeeded", null, Plans.T0.AddSeconds(5), "tasks/t1/result.json"), view.Outcome);
        Assert.Equal(view.Outcome, TaskViewProjector.ToResult(run.State)!.Outcome);
    }

    [Fact]
    public void Links_are_relative_or_under_the_given_origin()
    {
        var relative = TaskViewProjector.ToView(Running().State).Links;
        var absolute = TaskViewProjector.ToView(Running().State, "http://127.0.0.1:7071/").Links;

        Assert.Equal("/api/tasks/t1", relative.Self);
        Assert.Equal("/runtime/webhooks/durabletask/instances/t1", relative.StatusQuery);
        Assert.Equal("http://127.0.0.1:7071/api/tasks/t1/result", absolute.Result);
        Assert.Equal("http://127.0.0.1:7071/api/tasks/t1/cancel", absolute.Cancel);
    }

    /// <summary>Stage 0 at T0+30 s: implementation succeeded (with usage), review waits for its second attempt.</summary>
    private static DeciderRun Running()
    {
        var run = DeciderRun.Start(Plans.Build(Spec));
        run.Apply(new RoleAttemptStarted("implementation", 1));
        run.Apply(new RoleAttemptStarted("review", 1));
        run.Advance(TimeSpan.FromSeconds(10));
        run.Apply(new RoleSucceeded("implementation", 1, DeciderRun.Result("implementation", "wrote the code") with
        {
            Usage = new AgentUsage { InputTokens = 100, OutputTokens = 20, CostUsd = 0.01m },
        }));
        run.Advance(TimeSpan.FromSeconds(20));
        run.Apply(new RoleAttemptFailed("review", 1, FailureKind.Transient, "HTTP 503"));
        return run;
    }
}
