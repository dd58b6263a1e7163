using System.Runtime.Versioning;
using System.Text.Json;
using AgentQ.Tests.Infrastructure;
using static AgentQ.Tests.Infrastructure.AgentEngines;

namespace AgentQ.Tests.Agent;

/// <summary>
/// An agent that is the worker itself, as it would use agentq: init, take, heartbeat, complete and fail by task id,
/// against the real Standalone server and against the Functions engine on the real Durable runtime.
/// </summary>
[Collection(Collection)]
[UnsupportedOSPlatform("windows")]
public sealed class AgentLoopTests(AgentEngines engines)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static TheoryData<string> Engines => new() { Standalone, Functions };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Init_saves_a_private_profile_lists_the_roles_and_changes_nothing_when_run_again(string engine)
    {
        using var agent = new AgentSession(engines, engine);

        var first = await agent.RunExpectingAsync(0, "init", "--url", agent.Url, "--profile", "work");

        var config = Path.Combine(agent.Environment.HomeDirectory, ".agentq", "config.json");
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(config));
        Assert.Matches(@"agent\s+remote", first.Stdout);
        Assert.Matches(@"plan\s+echo", first.Stdout);
        Assert.Contains("server: healthy", first.Stdout, StringComparison.Ordinal);
        var written = File.ReadAllText(config);
        using (var document = JsonDocument.Parse(written))
        {
            Assert.Equal("work", document.RootElement.GetProperty("defaultProfile").GetString());
            Assert.Equal(agent.Url, document.RootElement.GetProperty("profiles").GetProperty("work").GetProperty("url").GetString());
        }

        var again = await agent.JsonAsync("init", "--url", agent.Url, "--profile", "work");
        Assert.Equal(written, File.ReadAllText(config));
        Assert.Contains(again.GetProperty("roles").EnumerateArray(), r => r.GetProperty("name").GetString() == "agent" && r.GetProperty("runner").GetString() == "remote");
        await agent.RunExpectingAsync(0, "health"); // later commands use the saved profile
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_agent_takes_a_task_by_id_heartbeats_and_completes_it_with_its_result_and_artifacts(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var id = AgentSession.NewId("loop");
        var context = agent.File("context.md", "# Issue 42\nThe login page times out.");
        await agent.RunExpectingAsync(0, "submit", "--id", id, "--stage", "plan", "--stage", "agent", "--instructions", "Fix the login timeout.", "--file", context);

        var taken = await agent.JsonAsync("take", "--role", "agent", "--task", id, "--lease", "2h", "--wait", "30");

        Assert.Equal((id, "agent", 1, 3, 7200), (taken.GetProperty("taskId").GetString(), taken.GetProperty("role").GetString(), taken.GetProperty("attempt").GetInt32(), taken.GetProperty("maxAttempts").GetInt32(), taken.GetProperty("leaseSeconds").GetInt32()));
        Assert.InRange(taken.GetProperty("leaseExpiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(118), DateTimeOffset.UtcNow.AddMinutes(121));
        var folder = Path.Combine(agent.Environment.CurrentDirectory, "agentq-work", id);
        Assert.Equal(folder, taken.GetProperty("directory").GetString());
        Assert.Contains("Fix the login timeout.", File.ReadAllText(Path.Combine(folder, "prompt.md")), StringComparison.Ordinal);
        Assert.Contains("The login page times out.", File.ReadAllText(Path.Combine(folder, "context.md")), StringComparison.Ordinal);
        Assert.Contains("Echo from plan", File.ReadAllText(Path.Combine(folder, "inputs", "plan.md")), StringComparison.Ordinal);
        using (var spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "spec.json"))))
        {
            Assert.Equal(id, spec.RootElement.GetProperty("id").GetString());
        }

        var leaseFile = Path.Combine(agent.Environment.HomeDirectory, ".agentq", "leases", "agent", id + ".json");
        Assert.Equal(leaseFile, taken.GetProperty("leaseFile").GetString());
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(leaseFile));
        Assert.DoesNotContain("leaseId", taken.ToString(), StringComparison.Ordinal);
        var traced = await agent.WaitForAsync(id, v => v.TryGetProperty("traceId", out var t) && t.ValueKind == JsonValueKind.String, "a trace id");
        Assert.Matches($"^00-{traced.GetProperty("traceId").GetString()}-[0-9a-f]{{16}}-0[01]$", taken.GetProperty("traceparent").GetString());

        var beat = await agent.JsonAsync("heartbeat", id, "--from", "agent", "--progress", "0.5", "--message", "found the slow query");
        Assert.False(beat.GetProperty("canceled").GetBoolean());
        Assert.InRange(beat.GetProperty("leaseExpiresAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(119), DateTimeOffset.UtcNow.AddMinutes(121));
        await agent.WaitForAsync(id, v => v.GetProperty("roles")[1].TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Number && p.GetDouble() == 0.5, "progress 0.5");

        agent.File("results/result.md", "# Fixed\nAdded an index on sessions.user_id.");
        agent.File("notes/benchmark.txt", "p99 1200 ms -> 80 ms");
        var completed = await agent.RunExpectingAsync(0, "complete", id, "--from", "agent", "--result-file", "results/result.md", "--summary", "Implemented and tested",
            "--artifact", "notes/benchmark.txt", "--usage-tokens", "1200,350", "--cost-usd", "0.04");

        Assert.Contains("completed", completed.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(leaseFile));
        var view = await agent.WaitForStateAsync(id, "completed");
        Assert.Equal("Implemented and tested", view.GetProperty("roles")[1].GetProperty("summary").GetString());
        var markdown = await agent.RunExpectingAsync(0, "result", id, "--role", "agent");
        Assert.Contains("Added an index on sessions.user_id.", markdown.Stdout, StringComparison.Ordinal);
        var files = await agent.JsonAsync("result", id, "--role", "agent", "--out", Path.Combine(agent.Environment.CurrentDirectory, "downloaded"));
        Assert.Contains(files.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == "artifacts/agent/benchmark.txt");

        var noLease = await agent.RunExpectingAsync(3, "heartbeat", id, "--from", "agent");
        Assert.Contains("agentq take", noLease.ErrorLine, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_agent_takes_a_task_that_requires_a_capability_only_when_it_says_it_has_it(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var id = await agent.SubmitAsync("needs", "agent", "Migrate the schema.", "--require", "database");

        var status = await agent.RunExpectingAsync(0, "status", id);
        Assert.Contains("waiting for a worker with: database", status.Stdout, StringComparison.Ordinal);
        var without = await agent.RunExpectingAsync(9, "take", "--role", "agent", "--task", id, "--wait", "2");
        Assert.Contains("it is waiting for a worker with: database (offer it with --capability NAME)", without.ErrorLine, StringComparison.Ordinal);
        var taken = await agent.RunExpectingAsync(0, "take", "--role", "agent", "--task", id, "--capability", "database", "--wait", "30");

        Assert.Contains($"took task {id}", taken.Stdout, StringComparison.Ordinal);
        Assert.Matches("trace: TRACEPARENT=00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]", taken.Stdout);
        await agent.RunExpectingAsync(0, "complete", id, "--from", "agent", "--result", "Migrated.");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task An_agent_that_fails_a_task_permanently_dead_letters_the_role(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var id = await agent.SubmitAndTakeAsync("fail", "agent", "Reproduce the crash.");

        var failed = await agent.RunExpectingAsync(0, "fail", id, "--from", "agent", "--reason", "Could not reproduce the issue", "--permanent");

        Assert.Contains("failed permanently", failed.Stdout, StringComparison.Ordinal);
        var view = await agent.WaitForStateAsync(id, "failed");
        Assert.Equal("dead_lettered", view.GetProperty("roles")[0].GetProperty("state").GetString());
        Assert.Contains("Could not reproduce the issue", view.GetProperty("roles")[0].GetProperty("lastError").GetString(), StringComparison.Ordinal);
        await agent.RunExpectingAsync(3, "fail", id, "--from", "agent", "--reason", "again");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_cancel_reaches_the_agent_through_its_next_heartbeat_as_exit_7(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var id = await agent.SubmitAndTakeAsync("cancel", "agent", "Refactor the billing module.", "--lease", "10m");

        await agent.RunExpectingAsync(0, "cancel", id, "--reason", "superseded by another task");
        await agent.WaitForStateAsync(id, "canceled");
        var beat = await agent.RunExpectingAsync(7, "heartbeat", id, "--from", "agent");

        Assert.Contains($"task '{id}' was canceled: stop working on it", beat.ErrorLine, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_lease_that_runs_out_answers_exit_4_saying_it_expired_and_the_task_can_be_taken_again(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var id = await agent.SubmitAndTakeAsync("expire", "agent", "Write the migration.", "--lease", "2s");

        await agent.WaitForAsync(id, v => v.GetProperty("roles")[0].TryGetProperty("lastError", out var e) && e.GetString()?.Contains("lease expired", StringComparison.Ordinal) == true, "a lease expiry");
        var late = await agent.RunExpectingAsync(4, "heartbeat", id, "--from", "agent");

        Assert.Contains("the lease expired at", late.ErrorLine, StringComparison.Ordinal);
        Assert.Contains($"agentq take --role agent --task {id}", late.ErrorLine, StringComparison.Ordinal);
        await agent.RunExpectingAsync(3, "complete", id, "--from", "agent", "--result", "too late"); // the lease file is gone with the lease
        var again = await agent.JsonAsync("take", "--role", "agent", "--task", id, "--wait", "30");
        Assert.Equal(2, again.GetProperty("attempt").GetInt32());
        await agent.RunExpectingAsync(0, "complete", id, "--from", "agent", "--result", "# Migration written");
        await agent.WaitForStateAsync(id, "completed");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_lease_whose_task_ended_meanwhile_answers_exit_4_saying_it_ended(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var id = await agent.SubmitAndTakeAsync("ended", "solo", "Rotate the keys.", "--lease", "2s");

        // Its only attempt lapses: the role is dead-lettered and the task fails while the agent still holds the lease file.
        await agent.WaitForStateAsync(id, "failed");
        var late = await agent.RunExpectingAsync(4, "heartbeat", id, "--from", "solo");

        Assert.Contains("the task ended: it is failed", late.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("Stop working on it.", late.ErrorLine, StringComparison.Ordinal);
        await agent.RunExpectingAsync(3, "complete", id, "--from", "solo", "--result", "too late"); // the lease file is gone with the lease
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_result_handed_in_after_a_cancel_is_accepted_and_settles_the_lease(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var id = await agent.SubmitAndTakeAsync("ended", "agent", "Tidy the logs.");
        await agent.RunExpectingAsync(0, "cancel", id, "--reason", "not needed");
        await agent.WaitForStateAsync(id, "canceled");

        // A result handed in after the cancel is still accepted (kept as discarded); after that the lease is settled.
        var late = await agent.RunExpectingAsync(0, "complete", id, "--from", "agent", "--result", "# Done anyway");
        Assert.Equal($"task {id} had already ended (canceled): the result is kept only as discarded; the lease is settled", late.Stdout.Trim());
        await agent.RunExpectingAsync(3, "heartbeat", id, "--from", "agent");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_failure_reported_after_a_cancel_says_the_task_had_already_ended_and_nothing_is_retried(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);
        var first = await agent.SubmitAndTakeAsync("ended", "agent", "Tidy the logs.");
        var second = await agent.SubmitAndTakeAsync("ended", "agent", "Tidy the caches.");
        await agent.RunExpectingAsync(0, "cancel", first, "--reason", "not needed");
        await agent.RunExpectingAsync(0, "cancel", second, "--reason", "not needed");
        await agent.WaitForStateAsync(first, "canceled");
        await agent.WaitForStateAsync(second, "canceled");

        var failed = await agent.RunExpectingAsync(0, "fail", first, "--from", "agent", "--reason", "stopped");
        var json = await agent.JsonAsync("fail", second, "--from", "agent", "--reason", "stopped");

        Assert.Equal($"task {first} had already ended (canceled): nothing is retried; the lease is settled", failed.Stdout.Trim());
        Assert.DoesNotContain("retried on the role's schedule", failed.Stdout, StringComparison.Ordinal);
        Assert.Equal(("fail", "canceled", true), (json.GetProperty("action").GetString(), json.GetProperty("taskState").GetString(), json.GetProperty("discarded").GetBoolean()));
    }

    [Fact]
    public async Task Heartbeat_and_complete_go_to_the_server_the_lease_came_from_whatever_the_profile_or_AGENTQ_URL_says()
    {
        // The default profile and AGENTQ_URL name the Functions engine; the lease comes from the Standalone server.
        using var agent = await AgentSession.InitializedAsync(engines, Functions);
        var granting = engines.Url(Standalone);
        var id = AgentSession.NewId("there");
        await agent.RunExpectingAsync(0, "submit", "--url", granting, "--id", id, "--to", "agent", "--instructions", "Work over there.");
        await agent.RunExpectingAsync(0, "take", "--role", "agent", "--task", id, "--url", granting, "--wait", "30");
        agent.Environment.Variables["AGENTQ_URL"] = engines.Url(Functions);
        var leaseFile = Path.Combine(agent.Environment.HomeDirectory, ".agentq", "leases", "agent", id + ".json");

        var elsewhere = await agent.RunExpectingAsync(2, "heartbeat", id, "--from", "agent", "--url", engines.Url(Functions));
        Assert.Contains($"is not the server the lease on task '{id}' came from", elsewhere.ErrorLine, StringComparison.Ordinal);
        Assert.True(File.Exists(leaseFile), "a heartbeat refused for naming another server must keep the lease file");

        await agent.RunExpectingAsync(0, "heartbeat", id, "--from", "agent", "--progress", "0.5");
        await agent.RunExpectingAsync(0, "heartbeat", id, "--from", "agent", "--url", granting + "/");
        var done = await agent.RunExpectingAsync(0, "complete", id, "--from", "agent", "--result", "# Done over there");

        Assert.Contains($"task {id} (role agent, attempt 1): completed; the lease is settled", done.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(leaseFile));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var status = await agent.RunExpectingAsync(0, "status", id, "--url", granting, "--json");
            using (var view = JsonDocument.Parse(status.Stdout))
            {
                if (view.RootElement.GetProperty("state").GetString() == "completed")
                {
                    break;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"task {id} did not complete on the server that granted the lease: {status}");
            await Task.Delay(100);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Take_without_a_waiting_attempt_exits_9_and_a_lease_over_the_roles_maximum_is_refused(string engine)
    {
        using var agent = await AgentSession.InitializedAsync(engines, engine);

        var none = await agent.RunExpectingAsync(9, "take", "--role", "agent", "--task", "no-such-task");
        Assert.Contains("has no attempt of role 'agent' waiting", none.ErrorLine, StringComparison.Ordinal);

        var tooLong = await agent.RunExpectingAsync(12, "take", "--role", "agent", "--lease", "5h");
        Assert.Contains("Roles:agent:MaxLeaseSeconds", tooLong.ErrorLine, StringComparison.Ordinal);

        var badLease = await agent.RunExpectingAsync(2, "take", "--role", "agent", "--lease", "soon");
        Assert.Contains("--lease 'soon' is not a duration", badLease.ErrorLine, StringComparison.Ordinal);
    }
}
