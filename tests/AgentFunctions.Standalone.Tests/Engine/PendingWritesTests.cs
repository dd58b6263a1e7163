using AgentFunctions.Standalone.Engine;

namespace AgentFunctions.Standalone.Tests.Engine;

public sealed class PendingWritesTests
{
    [Fact]
    public async Task New_tasks_wait_while_the_file_backlog_is_over_its_bound_until_half_of_it_is_written()
    {
        var pending = new PendingWrites();
        for (var i = 0; i <= PendingWrites.HighWater; i++)
        {
            pending.Add($"task-{i}", deadLetter: false);
        }

        var waiting = pending.WhenBacklogAllowsAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        for (var i = 0; i < PendingWrites.HighWater / 2; i++)
        {
            pending.Done($"task-{i}", deadLetter: false);
        }

        Assert.False(waiting.IsCompleted);
        pending.Done($"task-{PendingWrites.HighWater / 2}", deadLetter: false);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(pending.WhenBacklogAllowsAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task A_reader_waits_for_the_writes_of_its_own_task_only()
    {
        var pending = new PendingWrites();
        pending.Add("a", deadLetter: false);
        pending.Add("b", deadLetter: false);

        var forA = pending.WhenDoneAsync("a", TimeSpan.FromSeconds(5), CancellationToken.None);
        pending.Done("b", deadLetter: false);
        Assert.False(forA.IsCompleted);
        pending.Done("a", deadLetter: false);
        await forA;
        Assert.Equal(0, pending.Total);
    }
}
