namespace AgentFunctions.Core.Tasks;

/// <summary>One problem with one field of a request, e.g. <c>to[1]</c>: unknown role 'x'.</summary>
/// <param name="TooLarge">The problem is a size limit (HTTP 413 rather than 400).</param>
public sealed record FieldError(string Field, string Message, bool TooLarge = false)
{
    public override string ToString() => $"{Field}: {Message}";
}
