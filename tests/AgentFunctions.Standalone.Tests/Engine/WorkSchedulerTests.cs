using AgentFunctions.Core.Tasks;
using AgentFunctions.Standalone.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Standalone.Tests.Engine;

public sealed class WorkSchedulerTests : IAsyncLifetime
{
    private readonly WorkScheduler _scheduler = new(TimeProvider.System, NullLogger<WorkScheduler>.Instance);

    public Task InitializeAsync()
    {
        _scheduler.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _scheduler.StopAsync();
        _scheduler.Dispose();
    }

    [Fact]
    public async Task Timers_of_withdrawn_work_are_dropped_as_the_queue_grows_and_live_ones_still_fire()
    {
        var now = DateTimeOffset.UtcNow;
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var live = Item("live", now);
        _scheduler.At(now + TimeSpan.FromDays(30), () => { }, live);
        for (var i = 0; i < 3000; i++)
        {
            // A finished task's far deadline: withdrawn, never to run.
            var finished = Item($"done-{i}", now);
            _scheduler.At(now + TimeSpan.FromDays(30), () => Assert.Fail("a withdrawn timer ran"), finished);
            finished.Removed = true;
        }

        _scheduler.At(now + TimeSpan.FromMilliseconds(50), fired.SetResult, Item("soon", now));

        Assert.InRange(_scheduler.Pending, 2, 1100);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static WorkItem Item(string taskId, DateTimeOffset now) =>
        new(taskId, WorkKind.Deadline, string.Empty, 0, now, TaskPriority.Normal, now);
}
