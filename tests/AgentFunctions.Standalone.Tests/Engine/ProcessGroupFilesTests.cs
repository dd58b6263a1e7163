using System.Diagnostics;
using AgentFunctions.Core.Runners;
using AgentFunctions.Standalone.Engine;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Engine;

/// <summary>The records of running command groups in &lt;data&gt;/processes, as recovery reads them.</summary>
public sealed class ProcessGroupFilesTests : IDisposable
{
    private readonly string _directory = TempPaths.NewDirectory("process-groups");

    public void Dispose() => TempPaths.TryDelete(_directory);

    [Fact]
    public async Task Recovery_kills_recorded_groups_that_still_run_spares_the_rest_and_removes_every_record()
    {
        var files = new ProcessGroupFiles(_directory);
        using var leftover = Process.Start(new ProcessStartInfo("setsid") { ArgumentList = { "sleep", "60" } })!;
        using var bystander = Process.Start(new ProcessStartInfo("setsid") { ArgumentList = { "sleep", "60" } })!;
        try
        {
            files.Opened(ProcessGroups.RecordOf(leftover.Id)!);
            files.Opened(ProcessGroups.RecordOf(bystander.Id)! with { BootId = "a-boot-before-a-reboot" });
            await File.WriteAllTextAsync(Path.Combine(_directory, "4242.group"), "cut off while being writ");

            var (killed, records) = files.KillLeftovers();

            Assert.Equal((1, 3), (killed, records));
            Assert.True(await ProcessProbe.WaitUntilGoneAsync(leftover.Id, TimeSpan.FromSeconds(5)), "the recorded group still runs");
            Assert.True(ProcessProbe.IsAlive(bystander.Id), "a group recorded in another boot was killed");
            Assert.Empty(Directory.GetFiles(_directory));
        }
        finally
        {
            bystander.Kill();
            leftover.Kill();
        }
    }

    [Fact]
    public void Closing_a_group_removes_its_record()
    {
        var files = new ProcessGroupFiles(_directory);
        var group = new ProcessGroupRecord(Environment.ProcessId, 1, "boot");

        files.Opened(group);
        Assert.Single(Directory.GetFiles(_directory));
        files.Closed(group);

        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Equal((0, 0), files.KillLeftovers());
    }
}
