using System.Text.Json;
using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>
/// End to end, with the real tool and server: a worker whose program cannot run must not spend the attempts of
/// the tasks it leases (a typo once dead-lettered every queued task).
/// </summary>
public sealed class WorkerProgramTests
{
    [Fact]
    public async Task Mistyped_program_exits_2_before_leasing_and_the_queued_task_keeps_its_attempts()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("review"));
        await scene.RunExpectingAsync(0, "submit", "Review PR 7", "--to", "review", "--id", "typo-1");

        using var worker = scene.Start("worker", "run", "--role", "review", "--", "./reviw.sh", "{input}");
        var result = await worker.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((int)ExitCode.Usage, result.ExitCode);
        Assert.Equal("agentq: cannot run './reviw.sh': no such file", result.ErrorLine);
        var role = (await scene.JsonAsync("status", "typo-1")).GetProperty("roles")[0];
        Assert.Equal("pending", role.GetProperty("state").GetString());
        Assert.Equal(0, role.GetProperty("attempt").GetInt32());
        Assert.Empty((await scene.JsonAsync("dlq", "list")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Program_gone_after_start_releases_the_attempt_uncounted_and_stops_the_worker()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("review"));
        var script = scene.Scratch.Script("review.sh", "echo \"reviewed on attempt $AGENTQ_ATTEMPT\"");
        var first = scene.Start("worker", "run", "--role", "review", "--", script);
        await first.WaitForStderrAsync("pulling role 'review'");

        File.Delete(script);
        await scene.RunExpectingAsync(0, "submit", "Review PR 8", "--to", "review", "--id", "gone-1");
        var stopped = await first.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(stopped.ExitCode == (int)ExitCode.Error, stopped.ToString());
        Assert.Contains("review gone-1 attempt 1/5 released (the program could not start) in ", stopped.Stderr, StringComparison.Ordinal);
        Assert.StartsWith($"agentq: cannot start '{script}': ", stopped.StderrLines[^1], StringComparison.Ordinal);
        Assert.EndsWith("; the attempt was released (not counted) and the worker stopped", stopped.StderrLines[^1], StringComparison.Ordinal);
        var released = (await scene.JsonAsync("status", "gone-1")).GetProperty("roles")[0];
        Assert.DoesNotContain(released.GetProperty("state").GetString(), new[] { "retrying", "dead_lettered" });
        Assert.Equal(JsonValueKind.Null, released.GetProperty("lastError").ValueKind);
        Assert.Empty((await scene.JsonAsync("dlq", "list")).GetProperty("items").EnumerateArray());

        // Put back, the program gets the same attempt: the one that could not start was not counted.
        scene.Scratch.Script("review.sh", "echo \"reviewed on attempt $AGENTQ_ATTEMPT\"");
        var second = scene.Start("worker", "run", "--role", "review", "--", script);
        await scene.RunExpectingAsync(0, "watch", "gone-1", "--timeout", "20", "--interval", "0.1");

        Assert.Equal("reviewed on attempt 1\n", (await scene.RunExpectingAsync(0, "result", "gone-1", "--role", "review")).Stdout);
        Assert.Equal(1, (await scene.JsonAsync("status", "gone-1")).GetProperty("roles")[0].GetProperty("attempt").GetInt32());
        await second.WaitForStderrAsync("review gone-1 attempt 1/5 completed in ");
    }
}
