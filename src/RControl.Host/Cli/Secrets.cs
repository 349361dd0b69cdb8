using System.Text;

namespace RControl.Host.Cli;

/// <summary>Secrets given to the CLI: from an environment variable, or typed on the terminal without echo. Never printed.</summary>
internal static class Secrets
{
    /// <summary>The environment variable read for the passphrase when <c>--passphrase-env</c> is not given.</summary>
    public const string PassphraseVariable = "RCONTROL_PASSPHRASE";

    /// <summary>The passphrase: <c>--ask-passphrase</c>, else <c>--passphrase-env VAR</c> (which must be set), else <c>RCONTROL_PASSPHRASE</c>.</summary>
    public static string? Passphrase(string? variable, bool ask)
    {
        if (ask)
        {
            return variable is null ? Ask("Passphrase for the identity files: ", "--ask-passphrase")
                : throw new UsageException("--ask-passphrase and --passphrase-env cannot be used together");
        }

        if (variable is not null)
        {
            return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value
                : throw new UsageException($"--passphrase-env: environment variable '{variable}' is not set");
        }

        return Environment.GetEnvironmentVariable(PassphraseVariable) is { Length: > 0 } fromDefault ? fromDefault : null;
    }

    /// <summary>Asks on the terminal, echo off; refused (bad usage) when stdin is not a terminal.</summary>
    public static string Ask(string prompt, string option)
    {
        if (Console.IsInputRedirected)
        {
            throw new UsageException($"{option}: stdin is not a terminal (use --passphrase-env VAR or the inventory)");
        }

        Console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (key.KeyChar == '\u0004' && text.Length == 0)
            {
                throw new UsageException($"{option}: no answer");
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
