using System.Net;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

public sealed class ApprovalAndCancelTests : IAsyncLifetime, IDisposable
{
    private readonly Scripts _scripts = new();
    private StandaloneServer _server = null!;

    public async Task InitializeAsync()
    {
        var checker = """printf '%s\n' '{"status":"needs_approval","summary":"please check the migration","result":"# Migration\nDrops a column."}'""";
        _server = await StandaloneServer.StartAsync(Settings.Of(
            Settings.Echo("implementation", "review"),
            new Dictionary<string, string> { ["Roles:deploy:Runner"] = "echo", ["Roles:deploy:RequiresApproval"] = "true" },
            _scripts.Role("checker", checker),
            _scripts.Role("sleeper", $"echo $$ > \"{_scripts.Directory}/sleeper-$AGENTQ_TASK_ID.pid\"; sleep 60; echo woke"),
            _scripts.Role("flaky", "exit 1"),
            Settings.Retry("flaky", 5, firstDelay: "00:01:00", maxDelay: "00:05:00"),
            new Dictionary<string, string> { ["Limits:MinTtlSeconds"] = "1" }));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Task_that_requires_approval_waits_then_runs_once_approved()
    {
        await _server.SubmitAsync("""{ "id": "gate-1", "to": ["implementation"], "instructions": "x", "requiresApproval": true }""");
        var waiting = await _server.GetTaskAsync("gate-1");
        Assert.Equal(AgentTaskStatus.AwaitingApproval, waiting.State);
        Assert.True(waiting.Approval!.Pending);
        Assert.Null(Assert.Single(waiting.Approval.Waiting).Role);
        Assert.Equal(RoleStatus.Pending, waiting.Roles[0].State);

        using var approve = await _server.PostJsonAsync("api/tasks/gate-1/approve", """{ "by": "alice", "note": "ship it" }""");

        Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        var view = await _server.WaitForAsync("gate-1");
        Assert.Equal(AgentTaskStatus.Completed, view.State);
        var decision = Assert.Single(view.Approval!.Decisions);
        Assert.Equal("alice", decision.By);
        Assert.Equal("ship it", decision.Note);
        Assert.Equal(ApprovalDecision.Approve, decision.Decision);
    }

    [Fact]
    public async Task Of_two_decisions_sent_at_once_exactly_one_is_accepted()
    {
        await _server.SubmitAsync("""{ "id": "gate-race", "to": ["implementation"], "instructions": "x", "requiresApproval": true }""");

        var decisions = await Task.WhenAll(
            _server.PostJsonAsync("api/tasks/gate-race/approve", """{ "by": "alice" }"""),
            _server.PostJsonAsync("api/tasks/gate-race/reject", """{ "by": "bob", "reason": "not now" }"""));

        var statuses = decisions.Select(d => d.StatusCode).Order().ToList();
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Conflict], statuses);
        var view = await _server.WaitForAsync("gate-race");
        var decided = Assert.Single(view.Approval!.Decisions);
        var winner = decisions.Single(d => d.StatusCode == HttpStatusCode.Accepted).RequestMessage!.RequestUri!.AbsolutePath;
        Assert.Equal(winner.EndsWith("/approve", StringComparison.Ordinal) ? AgentTaskStatus.Completed : AgentTaskStatus.Rejected, view.State);
        Assert.Equal(winner.EndsWith("/approve", StringComparison.Ordinal) ? "alice" : "bob", decided.By);
        foreach (var decision in decisions)
        {
            decision.Dispose();
        }
    }

    [Fact]
    public async Task Role_that_requires_approval_waits_when_its_stage_comes()
    {
        await _server.SubmitAsync("""{ "id": "gate-2", "stages": [["implementation"], ["deploy"]], "instructions": "x" }""");

        var waiting = await _server.WaitForAsync("gate-2", v => v.State == AgentTaskStatus.AwaitingApproval);
        Assert.Equal(RoleStatus.Succeeded, waiting.Roles[0].State);
        Assert.Equal(RoleStatus.AwaitingApproval, waiting.Roles[1].State);

        using var wrongRole = await _server.PostJsonAsync("api/tasks/gate-2/approve", """{ "role": "implementation" }""");
        await Responses.AssertProblemAsync(wrongRole, HttpStatusCode.Conflict, "role 'implementation' of task 'gate-2' is not awaiting approval (succeeded)");

        using var approve = await _server.PostJsonAsync("api/tasks/gate-2/approve", """{ "by": "bob", "role": "deploy" }""");
        Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        Assert.Equal(AgentTaskStatus.Completed, (await _server.WaitForAsync("gate-2")).State);
    }

    [Fact]
    public async Task Needs_approval_result_holds_the_role_until_approved()
    {
        await _server.SubmitAsync("""{ "id": "post-1", "to": ["checker"], "instructions": "x" }""");

        var held = await _server.WaitForAsync("post-1", v => v.State == AgentTaskStatus.NeedsApproval);
        Assert.Equal(RoleStatus.NeedsApproval, held.Roles[0].State);
        Assert.Equal("please check the migration", held.Roles[0].Summary);

        using var approve = await _server.PostJsonAsync("api/tasks/post-1/approve", """{ "by": "carol", "role": "checker" }""");

        Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        var view = await _server.WaitForAsync("post-1");
        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal(RoleStatus.Succeeded, view.Roles[0].State);
    }

    [Fact]
    public async Task Rejected_result_rejects_the_task()
    {
        await _server.SubmitAsync("""{ "id": "post-2", "to": ["checker"], "instructions": "x" }""");
        await _server.WaitForAsync("post-2", v => v.State == AgentTaskStatus.NeedsApproval);

        using var reject = await _server.PostJsonAsync("api/tasks/post-2/reject", """{ "by": "dave", "reason": "unsafe" }""");

        Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        var view = await _server.WaitForAsync("post-2");
        Assert.Equal(AgentTaskStatus.Rejected, view.State);
        Assert.Equal(RoleStatus.Rejected, view.Roles[0].State);
        Assert.Equal("dave", view.Outcome!.By);
        using var late = await _server.PostJsonAsync("api/tasks/post-2/approve", "{}");
        await Responses.AssertProblemAsync(late, HttpStatusCode.Conflict, "task 'post-2' has already ended (rejected)");
    }

    [Fact]
    public async Task Approving_a_task_that_waits_for_nothing_is_a_conflict()
    {
        await _server.SubmitAsync("""{ "id": "no-gate", "to": ["sleeper"], "instructions": "x" }""");

        using var approve = await _server.PostJsonAsync("api/tasks/no-gate/approve", "{}");

        await Responses.AssertProblemAsync(approve, HttpStatusCode.Conflict, "task 'no-gate' is not awaiting approval");
        using var cancel = await _server.PostJsonAsync("api/tasks/no-gate/cancel", "{}");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
    }

    [Fact]
    public async Task Cancel_while_running_stops_the_program_and_ends_the_task_canceled()
    {
        await _server.SubmitAsync("""{ "id": "cancel-running", "to": ["sleeper"], "instructions": "x" }""");
        var pidFile = _scripts.PathOf("sleeper-cancel-running.pid");
        await _server.WaitForAsync("cancel-running", v => v.Roles[0].State == RoleStatus.Running && File.Exists(pidFile));

        using var cancel = await _server.PostJsonAsync("api/tasks/cancel-running/cancel", """{ "by": "erin", "reason": "wrong repo" }""");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var view = await _server.WaitForAsync("cancel-running", timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(AgentTaskStatus.Canceled, view.State);
        Assert.Equal("wrong repo", view.Outcome!.Reason);
        Assert.Equal(RoleStatus.Canceled, view.Roles[0].State);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await WaitUntilAsync(() => !ProcessIsAlive(pid));
        using var again = await _server.PostJsonAsync("api/tasks/cancel-running/cancel", "{}");
        await Responses.AssertProblemAsync(again, HttpStatusCode.Conflict, "has already ended (canceled)");
    }

    [Fact]
    public async Task Cancel_while_a_retry_waits_ends_the_task_without_another_attempt()
    {
        await _server.SubmitAsync("""{ "id": "cancel-retry", "to": ["flaky"], "instructions": "x" }""");
        await _server.WaitForAsync("cancel-retry", v => v.Roles[0].State == RoleStatus.Retrying);

        using var cancel = await _server.PostJsonAsync("api/tasks/cancel-retry/cancel", """{ "reason": "give up" }""");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var view = await _server.WaitForAsync("cancel-retry");
        Assert.Equal(AgentTaskStatus.Canceled, view.State);
        Assert.Equal(1, view.Roles[0].Attempt);
        Assert.Null(view.Roles[0].NextAttemptAt);
    }

    [Fact]
    public async Task Cancel_while_awaiting_approval_ends_the_task_canceled()
    {
        await _server.SubmitAsync("""{ "id": "cancel-gate", "to": ["implementation"], "instructions": "x", "requiresApproval": true }""");

        using var cancel = await _server.PostJsonAsync("api/tasks/cancel-gate/cancel", """{ "by": "frank" }""");

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var view = await _server.WaitForAsync("cancel-gate");
        Assert.Equal(AgentTaskStatus.Canceled, view.State);
        Assert.Equal(RoleStatus.Skipped, view.Roles[0].State);
    }

    [Fact]
    public async Task Terminate_through_the_durable_route_shows_as_terminated()
    {
        await _server.SubmitAsync("""{ "id": "terminate-1", "to": ["sleeper"], "instructions": "x" }""");

        using var terminate = await _server.Client.PostAsync("runtime/webhooks/durabletask/instances/terminate-1/terminate?reason=stop", null);

        Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        await _server.WaitForAsync("terminate-1");
        using var status = await _server.Client.GetAsync("runtime/webhooks/durabletask/instances/terminate-1");
        Assert.Equal(HttpStatusCode.BadRequest, status.StatusCode);
        Assert.Equal("Terminated", (await Responses.ReadJsonAsync(status)).GetProperty("runtimeStatus").GetString());
        using var again = await _server.Client.PostAsync("runtime/webhooks/durabletask/instances/terminate-1/terminate", null);
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
    }

    [Fact]
    public async Task Approval_event_raised_through_the_durable_route_approves()
    {
        await _server.SubmitAsync("""{ "id": "raise-1", "to": ["implementation"], "instructions": "x", "requiresApproval": true }""");

        using var raise = await _server.PostJsonAsync("runtime/webhooks/durabletask/instances/raise-1/raiseEvent/approval", """{ "decision": "approve", "by": "gina" }""");

        Assert.Equal(HttpStatusCode.Accepted, raise.StatusCode);
        Assert.Equal(AgentTaskStatus.Completed, (await _server.WaitForAsync("raise-1")).State);
        using var bad = await _server.PostJsonAsync("runtime/webhooks/durabletask/instances/raise-1/raiseEvent/approval", """{ "decision": "maybe" }""");
        await Responses.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "the approval event needs \"decision\"");
    }

    [Fact]
    public async Task Task_expires_when_its_ttl_passes()
    {
        await _server.SubmitAsync("""{ "id": "ttl-1", "to": ["sleeper"], "instructions": "x", "ttlSeconds": 1 }""");

        var view = await _server.WaitForAsync("ttl-1", timeout: TimeSpan.FromSeconds(10));

        Assert.Equal(AgentTaskStatus.Expired, view.State);
        Assert.Equal(RoleStatus.Canceled, view.Roles[0].State);
        Assert.NotNull(view.DeadlineAt);
    }

    [Fact]
    public async Task Approval_that_times_out_expires_the_task()
    {
        await _server.SubmitAsync("""{ "id": "approval-timeout", "to": ["implementation"], "instructions": "x", "requiresApproval": true, "approvalTimeoutSeconds": 1 }""");

        var view = await _server.WaitForAsync("approval-timeout", timeout: TimeSpan.FromSeconds(10));

        Assert.Equal(AgentTaskStatus.Expired, view.State);
        Assert.StartsWith("no approval decision for the task within", view.Outcome!.Reason, StringComparison.Ordinal);
    }

    private static bool ProcessIsAlive(int pid)
    {
        // A killed child may linger as a zombie until reaped; only a running process counts.
        var stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && File.ReadAllText(stat).Split(' ')[2] is not "Z" and not "X";
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }
}
