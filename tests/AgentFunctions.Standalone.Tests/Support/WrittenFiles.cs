namespace AgentFunctions.Standalone.Tests.Support;

/// <summary>Files are written just behind the task's state (from the outbox): waits, bounded, for one to appear.</summary>
internal static class WrittenFiles
{
    public static async Task WaitForAsync(string path)
    {
        for (var i = 0; i < 100 && !File.Exists(path); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(File.Exists(path), path);
    }
}
