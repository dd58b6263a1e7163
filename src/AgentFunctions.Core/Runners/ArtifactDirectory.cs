using System.Text;
using AgentFunctions.Core.Storage;

namespace AgentFunctions.Core.Runners;

/// <summary>
/// Reads the files a program wrote to its <c>$AGENTQ_ARTIFACTS_DIR</c> as artifacts named by their relative
/// path. Shared by the <c>command</c> runner and the CLI's pull worker so both accept the same files.
/// </summary>
public static class ArtifactDirectory
{
    /// <summary>Largest file taken from the directory (the default of <c>Limits:MaxArtifactBytes</c>, docs/configuration.md).</summary>
    public const long DefaultMaxArtifactBytes = 10 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Every regular file under <paramref name="root"/>, in path order; bad names, oversized or unreadable files are skipped.</summary>
    public static ArtifactCollection Collect(DirectoryInfo root, long maxArtifactBytes = DefaultMaxArtifactBytes)
    {
        ArgumentNullException.ThrowIfNull(root);
        var artifacts = new List<AgentArtifact>();
        var skipped = new List<SkippedArtifact>();
        if (!root.Exists)
        {
            return new ArtifactCollection(artifacts, skipped);
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            // Links could point anywhere on the machine; only what the program wrote here counts. Dotfiles are kept.
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        };

        foreach (var file in root.EnumerateFiles("*", options).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(root.FullName, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (AttemptResultWriter.ExplainArtifactName(name) is { } problem)
            {
                skipped.Add(new SkippedArtifact(name, problem));
                continue;
            }

            if (file.Length > maxArtifactBytes)
            {
                skipped.Add(new SkippedArtifact(name, $"{file.Length} bytes is more than {maxArtifactBytes}"));
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file.FullName);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedArtifact(name, exception.Message.TrimEnd('.')));
                continue;
            }

            artifacts.Add(ToArtifact(name, bytes));
        }

        return new ArtifactCollection(artifacts, skipped);
    }

    /// <summary>Text that is valid UTF-8 travels as utf-8; anything else as base64.</summary>
    public static AgentArtifact ToArtifact(string name, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return new AgentArtifact { Name = name, Content = StrictUtf8.GetString(bytes), Encoding = "utf-8" };
        }
        catch (DecoderFallbackException)
        {
            return AgentArtifact.FromBytes(name, bytes);
        }
    }
}
