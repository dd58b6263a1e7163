using System.Text.Json;
using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>End to end: a failing worker program is retried on the role's schedule, dead-lettered, and replayed with agentq dlq.</summary>
public sealed class DeadLetterTests
{
    [Fact]
    public async Task Failing_program_is_retried_then_dead_lettered_and_dlq_replay_runs_it_again()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.FastRetry("flaky", maxAttempts: 3));
        var fixedFlag = scene.Scratch.File("fixed");
        var script = scene.Script(
            "flaky.sh",
            $"""
            if [ -f '{fixedFlag}' ]; then echo "green on attempt $AGENTQ_ATTEMPT"; exit 0; fi
            echo "integration tests red (attempt $AGENTQ_ATTEMPT)" >&2
            exit 1
            """);
        var worker = await scene.StartWorkerAsync("flaky", script);

        var failed = await scene.RunExpectingAsync((int)ExitCode.TaskFailed, "submit", "Run the integration suite", "--to", "flaky", "--id", "dl-1", "--wait", "--timeout", "20", "--interval", "0.1");

        Assert.StartsWith("agentq: task 'dl-1' ended failed: ", failed.ErrorLine, StringComparison.Ordinal);
        await worker.WaitForStderrAsync("flaky dl-1 attempt 3/3 failed with exit code 1 (transient)");
        var role = (await scene.JsonAsync("status", "dl-1")).GetProperty("roles")[0];
        Assert.Equal("dead_lettered", role.GetProperty("state").GetString());
        Assert.Equal(3, role.GetProperty("attempt").GetInt32());
        var deadLetterId = role.GetProperty("deadLetterId").GetString()!;

        var listed = Assert.Single((await scene.JsonAsync("dlq", "list")).GetProperty("items").EnumerateArray());
        Assert.Equal(deadLetterId, listed.GetProperty("id").GetString());
        Assert.Equal("dl-1", listed.GetProperty("taskId").GetString());
        Assert.Equal("flaky", listed.GetProperty("role").GetString());
        Assert.Equal(3, listed.GetProperty("attempts").GetInt32());
        Assert.True(listed.TryGetProperty("deadLetteredAt", out _));
        var table = await scene.RunExpectingAsync(0, "dlq", "list", "--task", "dl-1");
        Assert.Contains(table.Stdout.Split('\n'), l => l.StartsWith(deadLetterId + "  dl-1  flaky  3  ", StringComparison.Ordinal));

        var record = await scene.JsonAsync("dlq", "show", deadLetterId);
        var failures = record.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], failures.Select(f => f.GetProperty("attempt").GetInt32()));
        Assert.All(failures, f => Assert.Equal("transient", f.GetProperty("kind").GetString()));
        Assert.Contains("integration tests red (attempt 3)", failures[2].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("integration tests red (attempt 3)", record.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("replayedAs").ValueKind);

        // The cause is fixed; the replay runs the role again as a new task.
        await File.WriteAllTextAsync(fixedFlag, string.Empty);
        var replay = await scene.RunExpectingAsync(0, "dlq", "replay", deadLetterId);
        var replayId = replay.Stdout.Split('\n')[0];
        Assert.Equal($"agentq: dead letter '{deadLetterId}' replayed as task '{replayId}'", replay.ErrorLine);

        await scene.RunExpectingAsync(0, "watch", replayId, "--timeout", "20", "--interval", "0.1");
        var markdown = await scene.RunExpectingAsync(0, "result", replayId, "--role", "flaky");
        Assert.Equal("green on attempt 1\n", markdown.Stdout);
        Assert.Equal(replayId, (await scene.JsonAsync("dlq", "show", deadLetterId)).GetProperty("replayedAs").GetString());
        Assert.Equal(deadLetterId, (await scene.JsonAsync("status", replayId)).GetProperty("replayOf").GetString());

        var again = await scene.RunExpectingAsync((int)ExitCode.Conflict, "dlq", "replay", deadLetterId);
        Assert.Contains(replayId, again.ErrorLine, StringComparison.Ordinal);
    }
}
