using RControl.Protocol;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace RControl.Transports.Ssh;

/// <summary>The authentication methods for a target: keys, then password, then keyboard-interactive (answering with the password).</summary>
internal sealed record SshAuthentication(AuthenticationMethod[] Methods, string Offered)
{
    public static SshAuthentication Create(SshSessionSpec spec, SshTarget target)
    {
        var methods = new List<AuthenticationMethod>();
        var offered = new List<string>();
        var explicitKeys = target.IdentityFiles.Count > 0;
        var agentKeys = Agent.AgentKeys.FromEnvironment();
        var keys = new List<IPrivateKeySource>();
        foreach (var file in explicitKeys ? target.IdentityFiles : SshTarget.DefaultIdentityFiles())
        {
            var key = LoadKey(spec, target, file, mustLoad: explicitKeys, agentMayHoldIt: agentKeys.Count > 0);
            if (key is not null)
            {
                keys.Add(key);
            }
        }

        var fileKeyCount = keys.Count;
        keys.AddRange(agentKeys);
        if (keys.Count > 0)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(target.User, keys.ToArray()));
            var files = fileKeyCount > 0 ? (explicitKeys ? target.IdentityFiles : SshTarget.DefaultIdentityFiles()) : [];
            var agent = agentKeys.Count > 0 ? [$"{agentKeys.Count} ssh-agent key(s)"] : Array.Empty<string>();
            offered.Add($"publickey ({string.Join(", ", files.Concat(agent))})");
        }

        if (spec.Password is { } password)
        {
            methods.Add(new PasswordAuthenticationMethod(target.User, password));
            var interactive = new KeyboardInteractiveAuthenticationMethod(target.User);
            interactive.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts)
                {
                    prompt.Response = password;
                }
            };
            methods.Add(interactive);
            offered.Add("password, keyboard-interactive");
        }

        if (methods.Count == 0)
        {
            throw new SshAuthenticationFailedException(target.Host, target.Port, target.User, SshAuthenticationFailure.NoCredentials,
                $"no credentials for {target.User}@{target.Host}:{target.Port}: give identity-files or a password (no default key in ~/.ssh either)");
        }

        return new SshAuthentication(methods.ToArray(), string.Join(", then ", offered));
    }

    private static PrivateKeyFile? LoadKey(SshSessionSpec spec, SshTarget target, string file, bool mustLoad, bool agentMayHoldIt)
    {
        try
        {
            if (!File.Exists(file))
            {
                throw new SshAuthenticationFailedException(target.Host, target.Port, target.User, SshAuthenticationFailure.BadIdentityFile,
                    $"identity file '{file}' for {target.User}@{target.Host}:{target.Port} does not exist");
            }

            return new PrivateKeyFile(file, spec.Passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException) when (mustLoad && agentMayHoldIt)
        {
            // An encrypted key without its passphrase: the agent's keys are tried instead, as ssh does.
            return null;
        }
        catch (SshPassPhraseNullOrEmptyException e) when (mustLoad)
        {
            throw new SshAuthenticationFailedException(target.Host, target.Port, target.User, SshAuthenticationFailure.PassphraseMissing,
                $"identity file '{file}' is encrypted: give its passphrase (passphrase) to connect to {target.User}@{target.Host}:{target.Port}", e);
        }
        catch (Exception e) when (mustLoad && e is SshException or System.Security.Cryptography.CryptographicException or InvalidOperationException
                                      && spec.Passphrase is not null)
        {
            throw new SshAuthenticationFailedException(target.Host, target.Port, target.User, SshAuthenticationFailure.WrongPassphrase,
                $"cannot decrypt identity file '{file}': wrong passphrase? ({e.GetType().Name})", e);
        }
        catch (Exception e) when (mustLoad && e is not SshAuthenticationFailedException)
        {
            throw new SshAuthenticationFailedException(target.Host, target.Port, target.User, SshAuthenticationFailure.BadIdentityFile,
                $"cannot read identity file '{file}': {e.Message}", e);
        }
        catch (Exception) when (!mustLoad)
        {
            // A default key that cannot be used (e.g. encrypted) is skipped, as ssh does without an agent.
            return null;
        }
    }
}
