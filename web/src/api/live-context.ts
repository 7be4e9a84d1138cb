import { createContext, useContext } from "react";
import type { LiveStatus } from "./live.ts";

/** Whether live updates are flowing; views poll while they are not. */
export const LiveStatusContext = createContext<LiveStatus>("connecting");

export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}
