namespace AgentQ.Tests.Infrastructure;

/// <summary>Where the repository these tests were built from lives.</summary>
internal static class Repository
{
    /// <summary>The directory holding AgentFunctions.sln, found above the test output directory.</summary>
    public static string Root()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        for (var directory = testOutput; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentFunctions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("AgentFunctions.sln not found above " + testOutput.FullName);
    }
}
