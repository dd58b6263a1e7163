namespace AgentFunctions.Core.Storage;

/// <summary>
/// The naming rule for artifact paths and names: relative, '/'-separated segments of letters, digits
/// and <c>. _ - ~ + @ = ,</c>; no empty, '.' or '..' segment; no backslash or control character;
/// bounded length. Anything else could escape the task's folder or confuse a reader.
/// </summary>
public static class ArtifactPath
{
    public const int MaxLength = 1024;
    public const int MaxSegmentLength = 255;

    public static bool IsValid(string? path) => Explain(path) is null;

    /// <summary>Why <paramref name="path"/> is not acceptable, or null when it is.</summary>
    public static string? Explain(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "the path is empty";
        }

        if (path.Length > MaxLength)
        {
            return $"the path is longer than {MaxLength} characters";
        }

        if (path[0] == '/' || (path.Length > 1 && path[1] == ':'))
        {
            return "the path must be relative";
        }

        foreach (var c in path)
        {
            if (c == '\\')
            {
                return "the path must not contain a backslash";
            }

            if (char.IsControl(c))
            {
                return "the path must not contain control characters";
            }

            if (!IsAllowed(c) && c != '/')
            {
                return $"the path may only contain letters, digits, '/' and . _ - ~ + @ = , (found '{c}')";
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "the path must not contain empty segments ('//' or a trailing '/')";
            }

            if (segment is "." or "..")
            {
                return "the path must not contain '.' or '..' segments";
            }

            if (segment.Length > MaxSegmentLength)
            {
                return $"a path segment is longer than {MaxSegmentLength} characters";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a path <see cref="Explain"/> refuses.</summary>
    public static string Require(string? path)
    {
        var problem = Explain(path);
        return problem is null ? path! : throw new ArgumentException($"Invalid artifact path: {problem}.", nameof(path));
    }

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '~' or '+' or '@' or '=' or ',';
}
