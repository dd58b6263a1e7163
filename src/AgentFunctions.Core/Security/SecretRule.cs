using System.Text.RegularExpressions;

namespace AgentFunctions.Core.Security;

/// <summary>One kind of secret: a pattern shaped after the rules of well-known scanners, and a check of each match.</summary>
/// <param name="Kind">The snake_case name findings carry.</param>
/// <param name="Description">What it is, with its article, for messages ("a GitHub token").</param>
/// <param name="Pattern">Finds candidates; the whole match is the secret.</param>
/// <param name="Accept">Rejects matches that are known not to be secrets (documentation examples); null accepts all.</param>
internal sealed record SecretRule(string Kind, string Description, Regex Pattern, Func<string, bool>? Accept = null);
