// A Moore machine that detects the serial pattern 1011 (overlapping), with a one-hot
// friendly state register that yosys' fsm pass extracts and recodes.
module fsm (
    input  wire clk,
    input  wire rst,
    input  wire in,
    output reg  found
);
    localparam IDLE = 3'd0, S1 = 3'd1, S10 = 3'd2, S101 = 3'd3, S1011 = 3'd4;
    reg [2:0] state, next;
    always @(posedge clk)
        if (rst) state <= IDLE;
        else     state <= next;
    always @* begin
        case (state)
            IDLE:    next = in ? S1 : IDLE;
            S1:      next = in ? S1 : S10;
            S10:     next = in ? S101 : IDLE;
            S101:    next = in ? S1011 : S10;
            S1011:   next = in ? S1 : S10;
            default: next = IDLE;
        endcase
        found = state == S1011;
    end
endmodule
