import {
  Anchor,
  Button,
  Center,
  Code,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, api, isApiError, storeToken } from "../../api/client.ts";
import { keys } from "../../api/queries.ts";
import type { User } from "../../api/types.ts";
import { useDocumentTitle } from "../../components/page-state.tsx";
import { ProblemAlert } from "../../components/problem-alert.tsx";

/**
 * E-mail and password (a session cookie), or an API token for this tab only. Shown at whatever
 * URL a signed-out person opened, so they land there once signed in.
 */
export function SignInPage() {
  useDocumentTitle("Sign in");
  const qc = useQueryClient();
  const [mode, setMode] = useState<"password" | "token">("password");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const signInWithPassword = async () => {
    try {
      const user = await api<User>("/session", { method: "POST", body: { email, password } });
      storeToken(null);
      qc.setQueryData(keys.me, user);
    } catch (e) {
      if (isApiError(e, "not_found") && e.status === 404) {
        setMode("token");
        throw new ApiError({
          title: "Password sign-in is not available",
          status: 404,
          code: "not_found",
          detail:
            "This Baton does not offer password sign-in. Sign in with an API token instead: `npm start` prints one for each demo user.",
        });
      }
      if (isApiError(e, "unauthenticated"))
        throw new ApiError({ ...e.problem, detail: "That e-mail and password do not match." });
      throw e;
    }
  };

  const signInWithToken = async () => {
    storeToken(token.trim());
    try {
      const user = await api<User>("/users/me");
      qc.setQueryData(keys.me, user);
    } catch (e) {
      storeToken(null);
      if (isApiError(e, "unauthenticated"))
        throw new ApiError({
          ...e.problem,
          detail: "Baton does not know this token. Copy it again, or make a new one.",
        });
      throw e;
    }
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await (mode === "password" ? signInWithPassword() : signInWithToken());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <div>
              <Title order={1} size="h2" id="sign-in-title">
                Sign in to Baton
              </Title>
              <Text c="dimmed" size="sm">
                Work handed between teams, nothing dropped.
              </Text>
            </div>
            {error ? <ProblemAlert error={error} /> : null}
            {mode === "password" ? (
              <>
                <TextInput
                  label="E-mail"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  data-autofocus
                />
                <PasswordInput
                  label="Password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                />
              </>
            ) : (
              <TextInput
                label="API token"
                description={
                  <>
                    Starts with <Code>bt_</Code>. Kept in this tab only, until you sign out.
                  </>
                }
                autoComplete="off"
                required
                value={token}
                onChange={(e) => setToken(e.currentTarget.value)}
              />
            )}
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
            <Anchor
              component="button"
              type="button"
              size="sm"
              onClick={() => {
                setMode(mode === "password" ? "token" : "password");
                setError(null);
              }}
            >
              {mode === "password"
                ? "Sign in with an API token instead"
                : "Sign in with e-mail and password"}
            </Anchor>
            <Text size="xs" c="dimmed">
              Trying Baton? <Code>npm start</Code> prints the demo people and their password.
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
