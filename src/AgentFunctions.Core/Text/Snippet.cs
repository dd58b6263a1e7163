using System.Diagnostics.CodeAnalysis;

namespace AgentFunctions.Core.Text;

/// <summary>Text quoted back in a message or a view, cut to a readable length.</summary>
public static class Snippet
{
    /// <summary>
    /// <paramref name="text"/> itself when it has at most <paramref name="maxLength"/> characters, otherwise its first
    /// <paramref name="maxLength"/> − 3 followed by "..."; null stays null.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Of(string? text, int maxLength = 80)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3);
        return text is null || text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength - 3), "...");
    }
}
