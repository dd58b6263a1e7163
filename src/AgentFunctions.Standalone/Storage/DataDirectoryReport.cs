namespace AgentFunctions.Standalone.Storage;

/// <summary>What <see cref="DataDirectoryInspection"/> found: facts, problems (the directory is not sound), and leftovers (the next start removes them).</summary>
public sealed class DataDirectoryReport
{
    private readonly List<string> _lines = [];
    private readonly List<string> _problems = [];
    private readonly List<string> _leftovers = [];

    public IReadOnlyList<string> Lines => _lines;

    public IReadOnlyList<string> Problems => _problems;

    public IReadOnlyList<string> Leftovers => _leftovers;

    public bool IsSound => _problems.Count == 0;

    public void Line(string text) => _lines.Add(text);

    public void Problem(string text) => _problems.Add(text);

    public void Leftover(string text) => _leftovers.Add(text);

    /// <summary>The report as the <c>check</c> command prints it.</summary>
    public IEnumerable<string> Render()
    {
        foreach (var line in _lines)
        {
            yield return line;
        }

        foreach (var leftover in _leftovers)
        {
            yield return "leftover: " + leftover;
        }

        foreach (var problem in _problems)
        {
            yield return "problem: " + problem;
        }

        yield return _problems.Count == 0
            ? "result: ok"
            : $"result: {_problems.Count} problem{(_problems.Count == 1 ? string.Empty : "s")}";
    }
}
