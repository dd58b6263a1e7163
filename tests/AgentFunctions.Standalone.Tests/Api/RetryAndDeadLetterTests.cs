using System.Globalization;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

public sealed class RetryAndDeadLetterTests : IAsyncLifetime, IDisposable
{
    private readonly Scripts _scripts = new();
    private StandaloneServer _server = null!;

    public async Task InitializeAsync()
    {
        // flaky: logs each start time, fails until it has run three times (per task).
        var flaky = $"""
            log="{_scripts.Directory}/flaky-$AGENTQ_TASK_ID.log"
            date +%s.%N >> "$log"
            runs=$(wc -l < "$log")
            if [ "$runs" -lt 3 ]; then echo "not yet ($runs)" >&2; exit 1; fi
            echo "made it on run $runs"
            """;
        // broken: fails with a code configured as permanent, unless a fix file exists (for the replay).
        var broken = $"""
            if [ -f "{_scripts.Directory}/fixed" ]; then echo "fixed now"; exit 0; fi
            echo "bad input" >&2; exit 3
            """;
        _server = await StandaloneServer.StartAsync(Settings.Of(
            _scripts.Role("flaky", flaky),
            Settings.Retry("flaky", 5, firstDelay: "00:00:00.500", coefficient: 2),
            _scripts.Role("broken", broken, new() { ["PermanentExitCodes:0"] = "3" }),
            _scripts.Role("hopeless", "echo 'always down' >&2; exit 7"),
            Settings.Retry("hopeless", 3, firstDelay: "00:00:00.100"),
            Settings.Echo("review")));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Transient_failures_are_retried_on_the_backoff_schedule_then_succeed()
    {
        await _server.SubmitAsync("""{ "id": "flaky-1", "to": ["flaky"], "instructions": "x" }""");

        var retrying = await _server.WaitForAsync("flaky-1", v => v.Roles[0].State == RoleStatus.Retrying);
        Assert.Equal(1, retrying.Roles[0].Attempt);
        Assert.NotNull(retrying.Roles[0].NextAttemptAt);
        Assert.Contains("exited with code 1", retrying.Roles[0].LastError, StringComparison.Ordinal);
        Assert.Contains("not yet (1)", retrying.Roles[0].LastError, StringComparison.Ordinal);

        var view = await _server.WaitForAsync("flaky-1");

        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal(3, view.Roles[0].Attempt);
        var starts = File.ReadAllLines(_scripts.PathOf("flaky-flaky-1.log"))
            .Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, starts.Count);
        // firstDelay 0.5 s, coefficient 2: no attempt starts before its delay (0.5 s, then 1 s). A busy machine only
        // makes the gaps longer, so only the lower bounds are asserted; the decider's tests check the exact schedule.
        Assert.True(starts[1] - starts[0] >= 0.5, $"attempt 2 started {starts[1] - starts[0]:0.000} s after attempt 1");
        Assert.True(starts[2] - starts[1] >= 1.0, $"attempt 3 started {starts[2] - starts[1]:0.000} s after attempt 2");
    }

    [Fact]
    public async Task Role_is_dead_lettered_after_max_attempts_and_the_task_fails()
    {
        await _server.SubmitAsync("""{ "id": "hopeless-1", "to": ["hopeless", "review"], "instructions": "x" }""");

        var view = await _server.WaitForAsync("hopeless-1");

        Assert.Equal(AgentTaskStatus.Failed, view.State);
        var role = view.Roles.Single(r => r.Role == "hopeless");
        Assert.Equal(RoleStatus.DeadLettered, role.State);
        Assert.Equal(3, role.Attempt);
        Assert.Equal("hopeless-1~hopeless", role.DeadLetterId);
        Assert.Equal(RoleStatus.Succeeded, view.Roles.Single(r => r.Role == "review").State);

        var record = await _server.Client.GetFromJsonAsync<DeadLetterRecord>("api/deadletters/hopeless-1~hopeless", CoreJson.Options);
        Assert.Equal("hopeless-1", record!.TaskId);
        Assert.Equal("hopeless", record.Role);
        Assert.Equal(3, record.Attempts);
        Assert.Equal([1, 2, 3], record.Failures.Select(f => f.Attempt));
        Assert.All(record.Failures, f => Assert.Equal(FailureKind.Transient, f.Kind));
        Assert.Contains("always down", record.Failures[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("gave up after 3 attempts", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Permanent_failure_is_dead_lettered_at_once_and_replay_runs_it_again()
    {
        await _server.SubmitAsync("""{ "id": "broken-1", "to": ["broken"], "instructions": "parse the file", "priority": "high" }""");
        var failed = await _server.WaitForAsync("broken-1");
        Assert.Equal(AgentTaskStatus.Failed, failed.State);
        Assert.Equal(1, failed.Roles[0].Attempt);

        var list = await _server.Client.GetFromJsonAsync<JsonElement>("api/deadletters?taskId=broken-1");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("broken-1~broken", item.GetProperty("id").GetString());
        Assert.Equal("permanent", item.GetProperty("failures")[0].GetProperty("kind").GetString());

        File.WriteAllText(_scripts.PathOf("fixed"), "yes");
        using var replay = await _server.Client.PostAsync("api/deadletters/broken-1~broken/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var newId = (await Responses.ReadJsonAsync(replay)).GetProperty("taskId").GetString()!;

        var replayed = await _server.WaitForAsync(newId);
        Assert.Equal(AgentTaskStatus.Completed, replayed.State);
        Assert.Equal("broken-1~broken", replayed.ReplayOf);
        Assert.Equal(["broken"], replayed.Roles.Select(r => r.Role));
        var record = await _server.Client.GetFromJsonAsync<DeadLetterRecord>("api/deadletters/broken-1~broken", CoreJson.Options);
        Assert.Equal(newId, record!.ReplayedAs);

        using var again = await _server.Client.PostAsync("api/deadletters/broken-1~broken/replay", null);
        await Responses.AssertProblemAsync(again, HttpStatusCode.Conflict, $"was already replayed as task '{newId}'");
    }

    [Fact]
    public async Task Dead_letter_can_be_deleted()
    {
        await _server.SubmitAsync("""{ "id": "hopeless-2", "to": ["hopeless"], "instructions": "x", "retry": { "maxAttempts": 1 } }""");
        await _server.WaitForAsync("hopeless-2");

        using var delete = await _server.Client.DeleteAsync("api/deadletters/hopeless-2~hopeless");
        using var gone = await _server.Client.GetAsync("api/deadletters/hopeless-2~hopeless");
        using var deleteAgain = await _server.Client.DeleteAsync("api/deadletters/hopeless-2~hopeless");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await Responses.AssertProblemAsync(gone, HttpStatusCode.NotFound, "dead letter 'hopeless-2~hopeless' does not exist");
        Assert.Equal(HttpStatusCode.NotFound, deleteAgain.StatusCode);
    }

    [Fact]
    public async Task Task_retry_override_lowers_the_attempts()
    {
        await _server.SubmitAsync("""{ "id": "hopeless-3", "to": ["hopeless"], "instructions": "x", "retry": { "maxAttempts": 2, "firstDelay": 0.05 } }""");

        var view = await _server.WaitForAsync("hopeless-3");

        Assert.Equal(2, view.Roles[0].Attempt);
        Assert.Equal(2, view.Roles[0].MaxAttempts);
    }
}
