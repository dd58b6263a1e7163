namespace AgentFunctions.Standalone.Tests.Support;

/// <summary>
/// A test that mounts its own small tmpfs to fill up: it needs root (CI runs as root) and is skipped, saying so,
/// for anyone else.
/// </summary>
internal sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Skip = "mounts a tmpfs to fill it up, which needs root on Linux (CI runs as root)";
        }
    }
}
