using System.Text.Json;
using AgentFunctions.Testing;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>End to end: stopping a worker with SIGTERM hands its unfinished attempt back without spending an attempt; killing it takes its program along.</summary>
public sealed class WorkerShutdownTests
{
    [Fact]
    public async Task Sigterm_during_a_running_attempt_releases_it_and_the_next_worker_runs_the_same_attempt()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("impl"));
        var startedFile = scene.Scratch.File("started");
        // The first run hangs (until the worker stops it); any later run finishes at once.
        var script = scene.Script(
            "impl.sh",
            $"""
            if [ -f '{startedFile}' ]; then echo "finished attempt $AGENTQ_ATTEMPT"; exit 0; fi
            echo $$ > '{startedFile}'
            exec sleep 60
            """);
        var first = await scene.StartWorkerAsync("impl", script, "--grace", "0.5");
        await scene.RunExpectingAsync(0, "submit", "Port the parser", "--to", "impl", "--id", "rl-1");
        var pid = await ProcessProbe.ReadPidAsync(startedFile, TimeSpan.FromSeconds(20));

        first.Signal("TERM");
        var stopped = await first.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Contains("impl rl-1 attempt 1/5 released at shutdown (the program was stopped after the grace period)", stopped.Stderr, StringComparison.Ordinal);
        Assert.EndsWith(" stopped", stopped.StderrLines[^1], StringComparison.Ordinal);
        Assert.False(ProcessProbe.IsAlive(pid), $"the program (pid {pid}) is still running");
        var released = await scene.JsonAsync("status", "rl-1");
        Assert.NotEqual("retrying", released.GetProperty("roles")[0].GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, released.GetProperty("roles")[0].GetProperty("lastError").ValueKind);

        var second = await scene.StartWorkerAsync("impl", script);
        await scene.RunExpectingAsync(0, "watch", "rl-1", "--timeout", "20", "--interval", "0.1");

        Assert.Equal("finished attempt 1\n", (await scene.RunExpectingAsync(0, "result", "rl-1", "--role", "impl")).Stdout);
        Assert.Equal(1, (await scene.JsonAsync("status", "rl-1")).GetProperty("roles")[0].GetProperty("attempt").GetInt32());
        await second.WaitForStderrAsync("impl rl-1 attempt 1/5 completed in ");
    }

    [Fact]
    public async Task A_worker_killed_outright_takes_its_running_program_with_it()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("impl"));
        var startedFile = scene.Scratch.File("started");
        var script = scene.Script("impl.sh", $"""
            echo $$ > '{startedFile}'
            exec sleep 60
            """);
        var worker = await scene.StartWorkerAsync("impl", script);
        await scene.RunExpectingAsync(0, "submit", "Port the parser", "--to", "impl", "--id", "kill-1");
        var pid = await ProcessProbe.ReadPidAsync(startedFile, TimeSpan.FromSeconds(20));

        worker.Signal("KILL");
        await worker.WaitAsync(TimeSpan.FromSeconds(15));

        // Its parent-death signal ends the program with the worker, not a minute later when its sleep would.
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, TimeSpan.FromSeconds(10)), $"the program (pid {pid}) outlived the killed worker");
    }
}
