namespace AgentFunctions.Standalone.Tests;

internal static class TempPaths
{
    public static string NewDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "agentfunctions-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
