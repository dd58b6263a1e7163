using System.Text.RegularExpressions;

namespace AgentFunctions.Core.Storage;

/// <summary>
/// The rule for dead-letter ids: URL-safe, and safe as a file or blob name. '~' is allowed because
/// <see cref="ArtifactLayout.DeadLetterId"/> joins task id and role with it.
/// </summary>
public static partial class DeadLetterId
{
    public const string Pattern = "^[A-Za-z0-9][A-Za-z0-9._~-]{0,200}$";

    public static bool IsValid(string? id) => id is not null && IdRegex().IsMatch(id);

    /// <summary>Throws <see cref="ArgumentException"/> for an id <see cref="IsValid"/> refuses.</summary>
    public static string Require(string? id, string parameterName = "id") =>
        IsValid(id)
            ? id!
            : throw new ArgumentException(
                $"Invalid dead-letter id '{id}': it must match {Pattern} (letters, digits, . _ ~ -, at most 201 characters).",
                parameterName);

    // \z rather than $: a trailing newline must not pass.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._~-]{0,200}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
