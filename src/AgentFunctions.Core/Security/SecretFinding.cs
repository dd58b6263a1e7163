namespace AgentFunctions.Core.Security;

/// <summary>
/// Where a secret was found, never the secret itself: the field (<c>context</c>, <c>payload.content.db.password</c>),
/// the kind (<c>aws_access_key_id</c>), and the position in that field's text (1-based line and column, 0-based
/// offset, all in UTF-16 characters, and the length of the match).
/// </summary>
public sealed record SecretFinding(string Field, string Kind, int Line, int Column, int Offset, int Length)
{
    /// <summary>For messages: "an AWS access key id (aws_access_key_id) in context at line 3, column 12".</summary>
    public string Describe() => $"{SecretRules.Describe(Kind)} ({Kind}) in {Field} at line {Line}, column {Column}";
}
