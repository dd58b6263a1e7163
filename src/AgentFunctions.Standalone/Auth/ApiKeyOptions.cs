using AgentFunctions.Api.Http;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Tasks;
using Microsoft.Extensions.Configuration;

namespace AgentFunctions.Standalone.Auth;

/// <summary>The keys of <c>Auth:Keys</c>. With none, the server accepts loopback clients only.</summary>
public sealed record ApiKeyOptions(IReadOnlyList<ApiKey> Keys)
{
    public const int MinimumKeyLength = 16;

    private static readonly string[] KnownScopes = [ApiScopes.Submit, ApiScopes.Read, ApiScopes.Approve, ApiScopes.Cancel, ApiScopes.Admin];

    public bool Enabled => Keys.Count > 0;

    public static ApiKeyOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var keys = new List<ApiKey>();
        foreach (var section in configuration.GetSection("Auth:Keys").GetChildren())
        {
            var name = section["Name"];
            var key = section["Key"];
            if (string.IsNullOrWhiteSpace(name))
            {
                problems.Add($"{section.Path}:Name: is required (a label for logs and errors)");
            }

            if (string.IsNullOrEmpty(key))
            {
                problems.Add($"{section.Path}:Key: is required (the secret clients send as x-functions-key, at least {MinimumKeyLength} characters)");
            }
            else if (key.Length < MinimumKeyLength)
            {
                problems.Add($"{section.Path}:Key: must be at least {MinimumKeyLength} characters");
            }

            var scopes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var scope in section.GetSection("Scopes").GetChildren())
            {
                var value = scope.Value?.Trim() ?? string.Empty;
                var valid = KnownScopes.Contains(value)
                    || (value.StartsWith(ApiScopes.WorkerPrefix, StringComparison.Ordinal)
                        && (value[ApiScopes.WorkerPrefix.Length..] is "*" || Identifiers.IsValidRole(value[ApiScopes.WorkerPrefix.Length..])));
                if (valid)
                {
                    scopes.Add(value);
                }
                else
                {
                    problems.Add($"{scope.Path}: unknown scope '{value}' (submit, read, approve, cancel, admin, worker:<role>, worker:*)");
                }
            }

            if (scopes.Count == 0)
            {
                problems.Add($"{section.Path}:Scopes: give at least one scope");
            }

            if (!string.IsNullOrWhiteSpace(name) && !string.IsNullOrEmpty(key))
            {
                keys.Add(new ApiKey(name, key, scopes));
            }
        }

        if (keys.GroupBy(k => k.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            problems.Add("Auth:Keys: two entries share the same Key");
        }

        if (problems.Count > 0)
        {
            throw new InvalidConfigurationException(problems);
        }

        return new ApiKeyOptions(keys);
    }
}
