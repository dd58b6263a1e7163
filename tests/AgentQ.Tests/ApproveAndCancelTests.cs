using AgentFunctions.Testing;
using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>End to end: a program asks for approval and a person approves; a coordinator cancels a running program.</summary>
public sealed class ApproveAndCancelTests
{
    [Fact]
    public async Task Program_asking_for_approval_holds_the_task_until_agentq_approve()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("migrate"));
        var script = scene.Script("migrate.sh", """printf '%s' '{"status":"needs_approval","summary":"Migration drafted","result":"ALTER TABLE users ADD COLUMN email_verified boolean;"}'""");
        await scene.StartWorkerAsync("migrate", script);
        using var submit = scene.Start("submit", "Add email verification", "--to", "migrate", "--id", "ap-1", "--wait", "--timeout", "25", "--interval", "0.2");

        var held = await scene.WaitForStatusAsync("ap-1", v => v.GetProperty("state").GetString() == "needs_approval");
        var role = held.GetProperty("roles")[0];
        Assert.Equal("needs_approval", role.GetProperty("state").GetString());
        Assert.Equal("Migration drafted", role.GetProperty("summary").GetString());
        var waiting = Assert.Single(held.GetProperty("approval").GetProperty("waiting").EnumerateArray());
        Assert.Equal("migrate", waiting.GetProperty("role").GetString());
        Assert.False(submit.HasExited, "submit --wait should wait through the approval");
        var draft = await scene.RunExpectingAsync(0, "result", "ap-1", "--role", "migrate");
        Assert.Equal(4, (await scene.RunAsync("result", "ap-1")).ExitCode);

        var approve = await scene.RunExpectingAsync(0, "approve", "ap-1", "--role", "migrate", "--note", "schema checked");

        Assert.Equal("approved ap-1 (role migrate)\n", approve.Stdout);
        var submitted = await submit.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        Assert.Contains("outcome: completed", submitted.Stdout, StringComparison.Ordinal);
        var done = await scene.JsonAsync("status", "ap-1");
        Assert.Equal("succeeded", done.GetProperty("roles")[0].GetProperty("state").GetString());
        var decision = Assert.Single(done.GetProperty("approval").GetProperty("decisions").EnumerateArray());
        Assert.Equal("approve", decision.GetProperty("decision").GetString());
        Assert.Equal("coordinator", decision.GetProperty("by").GetString());
        Assert.Equal("schema checked", decision.GetProperty("note").GetString());
        Assert.Equal("ALTER TABLE users ADD COLUMN email_verified boolean;\n", draft.Stdout);
        var status = await scene.RunExpectingAsync(0, "status", "ap-1");
        Assert.Single(status.Stdout.Split('\n'), l => l.StartsWith("decision: approve role migrate by coordinator at ", StringComparison.Ordinal) && l.EndsWith(": schema checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancel_stops_the_running_program_and_submit_wait_exits_canceled()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("impl"));
        var pidFile = scene.Scratch.File("program.pid");
        var script = scene.Script("impl.sh", $"echo $$ > '{pidFile}'\nexec sleep 60");
        // A 3 s lease (the role's is 60 s): heartbeats every second, so the worker hears of the cancel within about a second.
        var worker = await scene.StartWorkerAsync("impl", script, "--lease", "3");
        using var submit = scene.Start("submit", "Refactor the parser", "--to", "impl", "--id", "cx-1", "--wait", "--timeout", "25", "--interval", "0.2");
        var pid = await ProcessProbe.ReadPidAsync(pidFile, TimeSpan.FromSeconds(20));

        var cancel = await scene.RunExpectingAsync(0, "cancel", "cx-1", "--reason", "wrong branch");

        Assert.Equal("cancel requested for cx-1\n", cancel.Stdout);
        var submitted = await submit.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(submitted.ExitCode == (int)ExitCode.TaskCanceled, submitted.ToString());
        Assert.Equal("agentq: task 'cx-1' ended canceled: wrong branch", submitted.ErrorLine);
        await worker.WaitForStderrAsync("impl cx-1 attempt 1/5 canceled by the server, program stopped");
        Assert.False(ProcessProbe.IsAlive(pid), $"the program (pid {pid}) is still running");
        var view = await scene.JsonAsync("status", "cx-1");
        Assert.Equal("canceled", view.GetProperty("state").GetString());
        Assert.Equal("canceled", view.GetProperty("roles")[0].GetProperty("state").GetString());
        Assert.Equal("coordinator", view.GetProperty("outcome").GetProperty("by").GetString());
    }
}
