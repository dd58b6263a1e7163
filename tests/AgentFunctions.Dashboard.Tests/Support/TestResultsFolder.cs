namespace AgentFunctions.Dashboard.Tests.Support;

/// <summary>
/// Where the dashboard tests leave what a person looks at (screenshots, the page weight): TestResults/dashboard at the
/// repository root (beside .ci/run's TestResults/ci), or below <c>AGENTFUNCTIONS_TEST_RESULTS</c> when that is set.
/// </summary>
public static class TestResultsFolder
{
    public const string Variable = "AGENTFUNCTIONS_TEST_RESULTS";

    public static string Path { get; } = Create();

    private static string Create()
    {
        var root = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(root))
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "AgentFunctions.sln")))
            {
                directory = directory.Parent;
            }

            root = System.IO.Path.Combine(directory?.FullName ?? AppContext.BaseDirectory, "TestResults");
        }

        var path = System.IO.Path.Combine(root, "dashboard");
        Directory.CreateDirectory(path);
        return path;
    }
}
