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

        // Echo goes off before the prompt shows, so nothing typed early is echoed; the line is read raw from
        // stdin (not through Console, which applies its own terminal settings around each read).
        Console.Error.Flush();
        using var echoOff = TerminalEcho.Off();
        try
        {
            Console.Error.Write(prompt);
            Console.Error.Flush();
            using var input = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 1);
            var bytes = new List<byte>();
            var one = new byte[1];
            while (true)
            {
                if (input.Read(one, 0, 1) == 0)
                {
                    if (bytes.Count == 0)
                    {
                        throw new UsageException($"{option}: no answer");
                    }

                    break;
                }

                if (one[0] is (byte)'\n' or (byte)'\r')
                {
                    break;
                }

                bytes.Add(one[0]);
            }

            return Encoding.UTF8.GetString(bytes.ToArray());
        }
        finally
        {
            Console.Error.WriteLine();
        }
    }
}
