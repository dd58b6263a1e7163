using System.Buffers.Text;
using System.Globalization;
using System.Text;
using AgentFunctions.Core.Contracts;

namespace AgentFunctions.Core.History;

/// <summary>Pages of a task history: a continuation token is the <see cref="TaskHistoryEvent.Seq"/> the next page starts after.</summary>
public static class HistoryPaging
{
    public const int DefaultTop = 100;
    public const int MaxTop = 1000;

    public static string Encode(long afterSeq) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("h" + afterSeq.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The seq after which to continue (-1 for the first page).</summary>
    /// <exception cref="ArgumentException">The token was not made by <see cref="Encode"/>.</exception>
    public static long Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return -1;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith('h') && long.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                return seq;
            }
        }
        catch (FormatException)
        {
        }

        throw ContinuationTokens.Invalid();
    }

    /// <summary>A page of a history held whole (ordered by seq): up to <paramref name="top"/> events after the token's seq.</summary>
    public static Page<TaskHistoryEvent> PageOf(IReadOnlyList<TaskHistoryEvent> history, int top, string? continuationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var after = Decode(continuationToken);
        var items = history.Where(e => e.Seq > after).Take(top + 1).ToList();
        if (items.Count <= top)
        {
            return new Page<TaskHistoryEvent>(items, null);
        }

        items.RemoveAt(items.Count - 1);
        return new Page<TaskHistoryEvent>(items, Encode(items[^1].Seq));
    }
}
