using System.Text;
using AgentQ.Cli;

namespace AgentQ.Worker;

/// <summary>
/// Splits a command written as one string the way a POSIX shell splits words: blanks separate arguments, '...' keeps
/// everything literally, "..." keeps blanks and understands \" \\ \$ and \`, a backslash outside quotes escapes the
/// next character. No expansion of any kind. <c>{input}</c> is therefore always inside one argument, and the prompt
/// that replaces it is never split.
/// </summary>
public static class CommandLineSplitter
{
    public static IReadOnlyList<string> Split(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    var close = command.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw CliException.Usage("the command has an unclosed ' quote");
                    }

                    word.Append(command, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    i = ReadDoubleQuoted(command, i + 1, word);
                    inWord = true;
                    break;
                case '\\':
                    if (i + 1 < command.Length)
                    {
                        // A backslash before a newline joins the lines, as in a shell.
                        if (command[i + 1] != '\n')
                        {
                            word.Append(command[i + 1]);
                            inWord = true;
                        }

                        i++;
                    }

                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>Reads up to the closing quote; returns its index.</summary>
    private static int ReadDoubleQuoted(string command, int start, StringBuilder word)
    {
        for (var i = start; i < command.Length; i++)
        {
            var c = command[i];
            if (c == '"')
            {
                return i;
            }

            if (c == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`')
            {
                word.Append(command[++i]);
                continue;
            }

            word.Append(c);
        }

        throw CliException.Usage("the command has an unclosed \" quote");
    }
}
