using System.Text.RegularExpressions;

namespace AgentFunctions.Core.Security;

/// <summary>
/// The high-confidence secret shapes the server refuses in task messages. Each has a fixed prefix or structure that
/// ordinary text, identifiers, UUIDs, hashes and base64 data do not produce by chance (the approach of scanners
/// such as gitleaks and trufflehog); generic "high-entropy string" rules are left out on purpose, since they would
/// refuse hashes and encoded images.
/// </summary>
internal static partial class SecretRules
{
    /// <summary>Azurite's documented development account key: public, and in every local connection string.</summary>
    private const string AzuriteDevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static IReadOnlyList<SecretRule> All { get; } =
    [
        new("private_key", "a private key block", PrivateKey(), HasKeyBody),
        new("aws_access_key_id", "an AWS access key id", AwsAccessKeyId(), key => !key.EndsWith("EXAMPLE", StringComparison.Ordinal)),
        new("aws_secret_access_key", "an AWS secret access key", AwsSecretAccessKey(), match => !match.Contains("EXAMPLEKEY", StringComparison.Ordinal)),
        new("azure_storage_account_key", "an Azure storage account key", AzureAccountKey(), match => !match.Contains(AzuriteDevelopmentKey, StringComparison.Ordinal)),
        new("azure_shared_access_key", "an Azure shared access key", AzureSharedAccessKey()),
        new("github_token", "a GitHub token", GitHubToken()),
        new("github_fine_grained_token", "a GitHub fine-grained token", GitHubFineGrainedToken()),
        new("gitlab_token", "a GitLab token", GitLabToken()),
        new("slack_token", "a Slack token", SlackToken()),
        new("slack_webhook_url", "a Slack webhook URL", SlackWebhook()),
        new("openai_api_key", "an OpenAI API key", OpenAiKey()),
        new("anthropic_api_key", "an Anthropic API key", AnthropicKey()),
        new("stripe_secret_key", "a Stripe live secret key", StripeKey()),
        new("google_api_key", "a Google API key", GoogleApiKey()),
        new("npm_token", "an npm token", NpmToken()),
    ];

    public static string Describe(string kind) => All.FirstOrDefault(r => r.Kind == kind)?.Description ?? "a secret";

    /// <summary>A real key block has a body of key material, not just the header a document may quote.</summary>
    private static bool HasKeyBody(string block)
    {
        var run = 0;
        foreach (var c in block)
        {
            run = char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' ? run + 1 : c is '\r' or '\n' ? run : 0;
            if (run >= 40)
            {
                return true;
            }
        }

        return false;
    }

    // PEM / OpenSSH / PGP private keys: the header, some key material, the footer.
    [GeneratedRegex(@"-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]{40,16384}?-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex PrivateKey();

    // Access key ids: a four-letter type prefix and 16 base32 characters.
    [GeneratedRegex(@"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AwsAccessKeyId();

    // The 40-character secret has no prefix of its own: only where a key name says what it is.
    [GeneratedRegex(@"(?i:aws_?secret_?access_?key|aws_?secret)[""']?\s*[:=]\s*[""']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AwsSecretAccessKey();

    // Storage connection strings: AccountKey= and the 64-byte key in base64 (88 characters).
    [GeneratedRegex(@"AccountKey=[A-Za-z0-9+/]{86}==", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AzureAccountKey();

    // Service Bus, Event Hubs, IoT Hub connection strings: a 32-byte key in base64.
    [GeneratedRegex(@"SharedAccessKey=[A-Za-z0-9+/]{43}=", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AzureSharedAccessKey();

    [GeneratedRegex(@"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex GitHubFineGrainedToken();

    [GeneratedRegex(@"\bglpat-[A-Za-z0-9_-]{20}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex GitLabToken();

    // Bot, user, app and refresh tokens: xox?- then numeric workspace and token ids, then the secret part.
    [GeneratedRegex(@"\bxox[abposr]-[0-9]{8,14}-[0-9A-Za-z-]{8,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{8,12}/[AB][A-Z0-9]{8,12}/[A-Za-z0-9]{20,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex SlackWebhook();

    // Project, service-account, admin and legacy keys all carry "T3BlbkFJ" (base64 of "OpenAI") in the middle.
    [GeneratedRegex(@"\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,160}T3BlbkFJ[A-Za-z0-9_-]{20,160}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"\bsk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,120}AA\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex AnthropicKey();

    [GeneratedRegex(@"\b(?:sk|rk)_live_[A-Za-z0-9]{24,99}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex StripeKey();

    [GeneratedRegex(@"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex GoogleApiKey();

    [GeneratedRegex(@"\bnpm_[A-Za-z0-9]{36}\b", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex NpmToken();
}
